using System.CommandLine;
using System.Globalization;
using SegBridge.Engine.Api;
using SegBridge.Imaging.Encodings;
using SegBridge.Protocol;
using SegBridge.Protocol.Messages;

namespace SegBridge.Host.Commands;

/// <summary>
/// `segbridge infer-slide`: a guide model over a slide region (or the whole slide) through the same checks
/// and runner as slides/infer, written as a GeoJSON FeatureCollection in level-0 coordinates, with tile
/// progress on stderr. Ctrl-C stops between tiles, writes nothing and exits with 130.
/// </summary>
internal static class InferSlideCommand
{
    public const int CancelledExitCode = 130; // 128 + SIGINT, what shells report for an interrupted command

    private static readonly Dictionary<string, string> Options = new()
    {
        ["imageId"] = "SLIDE", ["modelId"] = "--model", ["mpp"] = "--mpp", ["downsample"] = "--downsample",
        ["region"] = "--region", ["tolerance"] = "--simplify", ["mpp|downsample"] = "--mpp/--downsample",
    };

    public static Command Create()
    {
        var settings = new EngineSettings();
        var slide = new Argument<string>("SLIDE") { Description = "Whole-slide image: a vendor format OpenSlide reads (SVS, NDPI, MRXS, …) or a pyramidal TIFF" };
        var model = new Option<string>("--model") { Description = "Guide model id (role guide in `segbridge models list`, e.g. tissue)", Required = true };
        var mpp = new Option<double?>("--mpp") { Description = "Working resolution in µm per pixel (default: the model's, 2.0 for tissue); at least the slide's own" };
        var downsample = new Option<double?>("--downsample") { Description = "Working resolution as level-0 pixels per working pixel, instead of --mpp (slides without a pixel size)" };
        var region = new Option<string?>("--region") { Description = "Level-0 region X,Y,W,H (default: the whole slide)" };
        var simplify = new Option<double?>("--simplify") { Description = $"Douglas–Peucker tolerance in working pixels, 0..1000 (default {SlideInferenceService.DefaultTolerance}; 0 = exact pixel edges)" };
        var output = new Option<string>("--out") { Description = "GeoJSON FeatureCollection to write (QuPath: File › Import objects)", Required = true };
        var command = new Command("infer-slide", "Run a guide model (e.g. tissue) over a whole-slide image and write its polygons as GeoJSON") { slide, model, mpp, downsample, region, simplify, output };
        settings.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var outPath = Path.GetFullPath(parse.GetValue(output)!);
            if (!Directory.Exists(Path.GetDirectoryName(outPath)))
                throw new CommandException($"--out: folder '{Path.GetDirectoryName(outPath)}' does not exist");
            var slidePath = Path.GetFullPath(parse.GetValue(slide)!);
            if (!File.Exists(slidePath)) throw new CommandException($"SLIDE: file '{slidePath}' does not exist");

            var engine = settings.Build(parse);
            var api = new EngineApi(engine);
            await api.InitializeAsync(new InitializeParams { ClientName = "segbridge-cli", ProtocolVersion = ProtocolInfo.Version }, ct);
            var image = await api.OpenImageAsync(new OpenImageParams { Path = slidePath }, ct);
            var service = new SlideInferenceService(engine);
            SlideInferenceService.Plan plan;
            try
            {
                plan = service.Check(new InferSlideParams
                {
                    ImageId = image.ImageId, ModelId = parse.GetValue(model), Mpp = parse.GetValue(mpp), Downsample = parse.GetValue(downsample),
                    Region = parse.GetValue(region) is { } r ? ParseRegion(r) : null, Tolerance = parse.GetValue(simplify),
                });
            }
            catch (ProtocolException e) when (e.Data?.Field is { } field)
            {
                var allowed = e.Data.Allowed is { } a ? $" (allowed: {a})" : "";
                throw new CommandException($"{Options.GetValueOrDefault(field, field)}: {e.Message}{allowed}");
            }

            var r0 = plan.Region;
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"segbridge: {Path.GetFileName(slidePath)}: region ({r0.RequestedX}, {r0.RequestedY}, {r0.RequestedWidth}×{r0.RequestedHeight}) at downsample {r0.Downsample:0.###} (level {r0.Level}) = {r0.Width}×{r0.Height} working pixels, model {plan.Model.Manifest.Id}"));
            var bar = new TileProgressBar(Console.Error, !Console.IsErrorRedirected, plan.Model.Manifest.Id);
            InferSlideResult result;
            try { result = await Task.Run(() => service.Run(plan, bar, ct), ct); }
            catch (OperationCanceledException)
            {
                bar.Finish();
                Console.Error.WriteLine($"segbridge: cancelled after {bar.Last.Done} of {bar.Last.Total} tiles; {outPath} not written");
                return CancelledExitCode;
            }
            bar.Finish();

            // Write beside the target and move, so an interrupted write never leaves half a file under the name asked for.
            var temp = outPath + ".partial";
            await using (var stream = File.Create(temp))
                GeoJsonFeatures.Write(stream, result.Geometry.Coordinates, result.Classification, new Dictionary<string, object?>
                {
                    ["slide"] = slidePath, ["model"] = result.ModelId, ["mpp"] = result.Mpp, ["downsample"] = result.Downsample,
                    ["region"] = new[] { result.Region.X, result.Region.Y, result.Region.Width, result.Region.Height }, ["notes"] = result.Notes,
                });
            File.Move(temp, outPath, overwrite: true);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"segbridge: wrote {outPath}: {result.Geometry.Coordinates.Length} {result.Classification} polygons from {result.Tiles} tiles in {result.ModelMs / 1000:0.0} s ({result.Notes})"));
            return 0;
        });
        return command;
    }

    private static RegionDto ParseRegion(string text)
    {
        var parts = text.Split(',');
        var v = new long[4];
        if (parts.Length != 4 || !parts.Select((p, i) => long.TryParse(p.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out v[i])).All(ok => ok))
            throw new CommandException($"--region '{text}' must be X,Y,W,H in level-0 pixels (integers, e.g. 0,0,20000,20000)");
        return new RegionDto { X = v[0], Y = v[1], Width = v[2], Height = v[3] };
    }
}
