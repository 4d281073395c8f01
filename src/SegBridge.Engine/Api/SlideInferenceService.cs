using SegBridge.Engine.Images;
using SegBridge.Engine.Inference;
using SegBridge.Engine.Registry;
using SegBridge.Imaging.Slides;
using SegBridge.Models;
using SegBridge.Protocol.Messages;

namespace SegBridge.Engine.Api;

/// <summary>
/// slides/infer and `segbridge infer-slide`: checks the request (every bad argument is a protocol error naming
/// its field and the allowed range), then runs <see cref="RegionInference"/> through the engine's shared tile
/// cache and maps the result to the protocol record.
/// </summary>
public sealed class SlideInferenceService(SegBridgeEngine engine)
{
    public const double DefaultTolerance = 1;

    /// <summary>A checked request, ready to run.</summary>
    public sealed record Plan(StoredImage Image, ModelEntry Model, IRegionPredictor Predictor, SlideRegionPlan Region, double Tolerance);

    /// <summary>The image as its user knows it: the file it was opened from, else its name, else what it is.</summary>
    private static string Describe(StoredImage image) => image.Origin switch
    {
        ImageOrigin.File f => Path.GetFileName(f.Path) + (image.Volume is null ? $", a {image.Width}×{image.Height} image" : ", a volume"),
        _ => image.Name is { } name ? $"'{name}', sent as bytes" : "sent as bytes",
    };

    public Plan Check(InferSlideParams? p)
    {
        var imageId = Errors.Required(p?.ImageId, "imageId", "img-1");
        var (model, predictor) = ModelLookup.Guide(engine.Registry, Errors.Required(p!.ModelId, "modelId", "tissue"), "modelId",
            (m, guides) => $"model '{m.Manifest.Id}' needs interactions; slides/infer runs guide models: {guides}");
        if (!engine.Images.TryGet(imageId, out var image))
            throw Errors.Make(Protocol.ErrorCodes.UnknownImage, $"unknown image '{imageId}'; open one with images/open first", "imageId");
        var slide = image.Slide
            ?? throw Errors.Argument("imageId", $"{imageId} ({Describe(image)}) is not a whole-slide image; slides/infer reads slides (pyramidal TIFF or a vendor format) through OpenSlide; "
                + "for a plain image create a session with the guide (sessions/create with initialMask \"model\")", "a whole-slide image");
        if (p.Mpp is not null && p.Downsample is not null)
            throw Errors.Argument("mpp|downsample", "give at most one of mpp or downsample", "one of them");

        var (x, y, w, h) = p.Region is { } r ? (r.X, r.Y, r.Width, r.Height) : (0L, 0L, slide.Width, slide.Height);
        if (w <= 0 || h <= 0 || x < 0 || y < 0 || x + w > slide.Width || y + h > slide.Height)
            throw Errors.Argument("region", $"region ({x}, {y}, {w}×{h}) is not inside the {slide.Width}×{slide.Height} slide",
                $"0 <= x, x + width <= {slide.Width}, 0 <= y, y + height <= {slide.Height}");
        var tolerance = p.Tolerance ?? DefaultTolerance;
        if (!(tolerance >= 0 && tolerance <= 1000)) throw Errors.Argument("tolerance", $"tolerance {tolerance} is out of range", "0..1000 working pixels");

        // Working pixels must stay at least as large as level-0 pixels (no upsampling) and the raster at least one pixel.
        double maxDownsample = Math.Max(w, h);
        double downsample;
        if (p.Downsample is { } d)
        {
            if (!(d >= 1 && d <= maxDownsample)) throw Errors.Argument("downsample", $"downsample {d} is out of range", $"1..{maxDownsample}");
            downsample = d;
        }
        else if (slide.Mpp is not double baseMpp)
            throw Errors.Argument(p.Mpp is null ? "downsample" : "mpp", $"{slide.Path} does not state its pixel size, so mpp cannot be used; give a downsample", $"downsample 1..{maxDownsample}");
        else
        {
            var mpp = p.Mpp ?? Math.Max(model.Manifest.PixelSizeUm ?? predictor.Spec.DefaultMpp, baseMpp);
            var allowed = $"{baseMpp:0.####}..{baseMpp * maxDownsample:0.####} µm per pixel (the slide's own pixel size up to the whole region in one pixel)";
            if (!(mpp >= baseMpp * (1 - 1e-9) && mpp <= baseMpp * maxDownsample))
                throw Errors.Argument("mpp", $"mpp {mpp} is out of range for this slide (level 0 is {baseMpp:0.####} µm per pixel)", allowed);
            downsample = Math.Max(1, mpp / baseMpp);
        }
        SlideRegionPlan plan;
        try { plan = SlideRegionPlan.ForDownsample(slide, x, y, w, h, downsample); }
        catch (ArgumentOutOfRangeException e) { throw Errors.Argument(p.Mpp is null ? "downsample" : "mpp", e.Message.Split(" (Parameter")[0]); }
        return new Plan(image, model, predictor, plan, tolerance);
    }

    public InferSlideResult Run(Plan plan, IProgress<TileProgress>? progress, CancellationToken ct)
    {
        var slide = plan.Region.Slide;
        var result = RegionInference.Run(plan.Region, new CachedSlideReader(slide, engine.TileCache), plan.Predictor, plan.Tolerance, progress, ct);
        var r = plan.Region;
        return new InferSlideResult
        {
            ImageId = plan.Image.Id, ModelId = plan.Model.Manifest.Id, Classification = plan.Predictor.Spec.ClassName,
            Region = new RegionDto { X = r.RequestedX, Y = r.RequestedY, Width = r.RequestedWidth, Height = r.RequestedHeight },
            Downsample = r.Downsample,
            Mpp = r.Downsample * slide.Mpp,
            Level = r.Level, Width = r.Width, Height = r.Height, Tiles = result.Tiles, ForegroundPixels = result.ForegroundPixels,
            ModelMs = Math.Round(result.Seconds * 1000, 1), Notes = result.Notes,
            Geometry = new GeoJsonMultiPolygon { Coordinates = result.Polygons },
        };
    }
}
