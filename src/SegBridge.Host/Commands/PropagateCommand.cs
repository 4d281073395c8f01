using System.CommandLine;
using System.Text.Json;
using SegBridge.Protocol;
using SegBridge.Protocol.Messages;

namespace SegBridge.Host.Commands;

/// <summary>
/// `segbridge propagate`: one round on a volume through the same API a viewer uses: open the volume, create a
/// session on the slice, apply the interactions in the order given (box, extreme points, then clicks), propagate
/// through the volume, write the mask (.nii.gz, or per-slice COCO RLE as JSON) and name the next slice to segment.
/// With --state-dir the round is kept, so the next run on the same volume continues from it.
/// </summary>
internal static class PropagateCommand
{
    public static Command Create()
    {
        var volume = new VolumeVerbs();
        var slice = new Option<int>("--slice") { Description = "The axial slice the interactions are on (0 = the first)", Required = true };
        var box = new Option<string?>("--box") { Description = "Box X0,Y0,X1,Y1 around the object on the slice" };
        var extreme = new Option<string?>("--extreme") { Description = "The object's four extreme points on the slice: X1,Y1,X2,Y2,X3,Y3,X4,Y4" };
        var clicks = new Option<string[]>("--click") { Description = "Click X,Y,+ (foreground) or X,Y,- (background); repeatable, applied in order" };
        var output = new Option<string?>("--out") { Description = "Where to write the volume's mask (omit to only print the round)" };
        var format = new Option<string>("--format") { Description = "nifti (uint8 .nii.gz on the volume's grid) or rle (JSON: per-slice COCO RLE and quality)", DefaultValueFactory = _ => "nifti" };
        var rank = VolumeVerbs.RankOption();
        var command = new Command("propagate", "Segment one slice of a volume and propagate the mask through the volume (Mem3D); prints the next slice to segment")
        {
            slice, box, extreme, clicks, output, format, rank,
        };
        volume.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var interactions = new List<InteractParams>();
            if (parse.GetValue(box) is { } b) interactions.Add(new InteractParams { Box = InteractionArguments.ParseBox(b) });
            if (parse.GetValue(extreme) is { } e) interactions.Add(new InteractParams { ExtremePoints = InteractionArguments.ParseExtremePoints(e) });
            interactions.AddRange((parse.GetValue(clicks) ?? []).Select(c => new InteractParams { Click = InteractionArguments.ParseClick(c) }));
            if (interactions.Count == 0) throw new CommandException("give at least one --box, --extreme or --click on the slice");
            var maskFormat = parse.GetValue(format)!;
            if (maskFormat is not ("nifti" or "rle")) throw new CommandException($"--format is '{maskFormat}'; allowed: nifti, rle");
            var ranking = VolumeVerbs.CheckRank(parse.GetValue(rank)!);

            var (api, image, modelId) = await volume.OpenAsync(parse, ct);
            int z = parse.GetValue(slice);
            VolumeVerbs.CheckSlice(z, image);
            var session = await api.CreateSessionAsync(new CreateSessionParams { ImageId = image.ImageId, ModelId = modelId, Slice = z }, ct);
            try
            {
                if (session.InitialMask is not null) Console.Error.WriteLine($"segbridge: slice {z} starts from its propagated mask (an earlier round in the state folder)");
                for (int i = 0; i < interactions.Count; i++)
                {
                    var p = interactions[i];
                    var mask = await api.InteractAsync(new InteractParams
                    {
                        SessionId = session.SessionId, Click = p.Click, Box = p.Box, ExtremePoints = p.ExtremePoints, Format = MaskFormats.Rle,
                    }, ct);
                    Console.Error.WriteLine($"segbridge: [{i + 1}/{interactions.Count}] {InteractionArguments.Describe(p)} on slice {z}: {mask.ForegroundPixels} foreground pixels in {mask.ModelMs:0} ms" +
                                            (mask.Notes is null ? "" : $" ({mask.Notes})"));
                }
                var result = await api.PropagateVolumeAsync(new PropagateVolumeParams { SessionId = session.SessionId, Format = maskFormat }, ct);
                Console.Error.WriteLine($"segbridge: propagated from slice {z} through {result.Depth} slices (interactive: {string.Join(", ", result.InteractiveSlices)}): " +
                                        $"{result.ForegroundVoxels} foreground voxels in {result.ModelMs:0} ms ({result.Notes})");
                VolumeVerbs.PrintSuggestion(await api.SuggestSliceAsync(new SuggestSliceParams { SessionId = session.SessionId, Rank = ranking }, ct));
                if (parse.GetValue(output) is { } outPath)
                {
                    await File.WriteAllBytesAsync(outPath, maskFormat == "nifti" ? result.Nifti! : JsonSerializer.SerializeToUtf8Bytes(result, ProtocolJson.Options), ct);
                    Console.Error.WriteLine($"segbridge: wrote {outPath} ({result.Width}×{result.Height}×{result.Depth}, {result.ForegroundVoxels} foreground voxels)");
                }
            }
            finally
            {
                // A closed session leaves no journal behind; the volume's rounds stay in the state folder.
                await api.CloseSessionAsync(new SessionParams { SessionId = session.SessionId }, CancellationToken.None);
            }
            return 0;
        });
        return command;
    }
}
