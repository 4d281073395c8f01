using System.CommandLine;
using SegBridge.Engine.Api;
using SegBridge.Protocol;
using SegBridge.Protocol.Messages;

namespace SegBridge.Host.Commands;

/// <summary>
/// One-shot segmentation through the same API a viewer uses: open, create a session, apply the
/// interactions in the order given (box, scribbles, then clicks), write the mask as a PNG.
/// </summary>
internal static class SegmentCommand
{
    public static Command Create()
    {
        var settings = new EngineSettings();
        var image = new Argument<string>("IMAGE") { Description = "PNG, JPEG or TIFF image" };
        var model = new Option<string>("--model") { Description = "Model id (see `segbridge models list`)", Required = true };
        var clicks = new Option<string[]>("--click") { Description = "Click X,Y,+ (foreground) or X,Y,- (background); repeatable, applied in order" };
        var scribbles = new Option<string?>("--scribbles") { Description = "Label PNG the size of the image: 0 unlabelled, 1 foreground, 2 background" };
        var box = new Option<string?>("--box") { Description = "Box X0,Y0,X1,Y1 around the object" };
        var initialMask = new Option<string?>("--initial-mask") { Description = "Where the mask starts before the interactions: none, model (the model's own prediction; click models start so by default) or a guide model's id" };
        var output = new Option<string>("--out") { Description = "Where to write the mask (8-bit PNG, 0/255)", Required = true };
        var command = new Command("segment", "Segment one image from the command line and write the mask") { image, model, clicks, scribbles, box, initialMask, output };
        settings.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var interactions = new List<InteractParams>();
            if (parse.GetValue(box) is { } b) interactions.Add(new InteractParams { Box = InteractionArguments.ParseBox(b) });
            if (parse.GetValue(scribbles) is { } s)
                interactions.Add(new InteractParams { Labels = new LabelsDto { Png = ReadFile(s, "--scribbles") } });
            interactions.AddRange((parse.GetValue(clicks) ?? []).Select(c => new InteractParams { Click = InteractionArguments.ParseClick(c) }));

            var api = new EngineApi(settings.Build(parse));
            await api.InitializeAsync(new InitializeParams { ClientName = "segbridge-cli", ProtocolVersion = ProtocolInfo.Version }, ct);
            var img = await api.OpenImageAsync(new OpenImageParams { Path = Path.GetFullPath(parse.GetValue(image)!) }, ct);
            var session = await api.CreateSessionAsync(new CreateSessionParams { ImageId = img.ImageId, ModelId = parse.GetValue(model), InitialMask = parse.GetValue(initialMask) }, ct);
            if (interactions.Count == 0 && session.InitialMask is null && parse.GetValue(initialMask) is null)
                session = await OwnPrediction(api, session, ct); // a guide without initialMask: nothing to do but its own prediction
            if (interactions.Count == 0 && session.InitialMask is null)
                throw new CommandException($"give at least one --click, --scribbles or --box: {session.ModelId} starts from an empty mask (a model with initialMask, e.g. click-hist-cgam, writes its prediction without any)");
            if (session.InitialMask is { } start) Console.Error.WriteLine($"segbridge: starts from {start}'s prediction without interactions");
            MaskResult mask = await api.GetMaskAsync(new SessionParams { SessionId = session.SessionId, Format = MaskFormats.Png }, ct);
            for (int i = 0; i < interactions.Count; i++)
            {
                var p = interactions[i];
                mask = await api.InteractAsync(new InteractParams
                {
                    SessionId = session.SessionId, Click = p.Click, Labels = p.Labels, Box = p.Box, Format = MaskFormats.Png,
                }, ct);
                Console.Error.WriteLine($"segbridge: [{i + 1}/{interactions.Count}] {InteractionArguments.Describe(p)}: {mask.ForegroundPixels} foreground pixels in {mask.ModelMs:0} ms" +
                                        (mask.Notes is null ? "" : $" ({mask.Notes})"));
            }
            var outPath = parse.GetValue(output)!;
            await File.WriteAllBytesAsync(outPath, mask.Data!, ct);
            Console.Error.WriteLine($"segbridge: wrote {outPath} ({img.Width}×{img.Height}, {mask.ForegroundPixels} foreground pixels)");
            return 0;
        });
        return command;
    }

    /// <summary>
    /// With nothing to apply, a model that predicts alone (a guide) is asked for its own prediction; one that cannot
    /// keeps its empty session (the caller then asks for an interaction).
    /// </summary>
    private static async Task<SessionInfo> OwnPrediction(EngineApi api, SessionInfo session, CancellationToken ct)
    {
        try
        {
            var own = await api.CreateSessionAsync(new CreateSessionParams { ImageId = session.ImageId, ModelId = session.ModelId, InitialMask = "model" }, ct);
            await api.CloseSessionAsync(new SessionParams { SessionId = session.SessionId }, ct);
            return own;
        }
        catch (ProtocolException e) when (e.Data?.Field == "initialMask") { return session; }
    }

    private static byte[] ReadFile(string path, string option)
        => File.Exists(path) ? File.ReadAllBytes(path) : throw new CommandException($"{option}: file '{path}' does not exist");
}
