using SegBridge.Engine.Images;
using SegBridge.Imaging.Geometry;
using SegBridge.Imaging.Rasters;
using SegBridge.Imaging.Slides;

namespace SegBridge.Engine.Sessions;

/// <summary>
/// Turns a session's requested region and resolution into the raster its model sees. A plain image is
/// cropped (full resolution only); a whole-slide image is read from the best OpenSlide level for the
/// wanted downsample, aligned to that level's grid, through the engine's tile cache. Refusals are
/// <see cref="EngineArgumentException"/>s and <see cref="RegionTooLargeException"/>s naming the request's field.
/// </summary>
public sealed class SessionPlanner(EngineOptions options, SlideTileCache tileCache)
{
    /// <summary>
    /// Validates the request and resolves mpp or magnification to a downsample. When the request names no resolution,
    /// a whole-slide image that states its pixel size is read at <paramref name="modelPixelSizeUm"/> (the resolution
    /// the model was trained at, from its manifest), never finer than the slide's own; otherwise at full resolution.
    /// </summary>
    public SessionRegion Resolve(StoredImage image, SessionRequest p, double? modelPixelSizeUm = null)
    {
        var given = new[] { p.Mpp, p.Downsample, p.Magnification }.Count(v => v is not null);
        if (given > 1) throw new EngineArgumentException("mpp|downsample|magnification", "give at most one of mpp, downsample or magnification", "one of them");
        var (x, y, w, h) = p.Region is { } r ? (r.X, r.Y, r.Width, r.Height) : (0L, 0L, image.Width, image.Height);
        if (w <= 0 || h <= 0 || x < 0 || y < 0 || x + w > image.Width || y + h > image.Height)
            throw new EngineArgumentException("region", $"region ({x}, {y}, {w}×{h}) is not inside the {image.Width}×{image.Height} image", $"0 <= x, x + width <= {image.Width}, 0 <= y, y + height <= {image.Height}");

        var slice = CheckSlice(image, p.Slice);
        if (image.Slide is not { } slide)
        {
            if (p.Mpp is not null || p.Magnification is not null || p.Downsample is { } d && d != 1)
                throw new EngineArgumentException("mpp|downsample|magnification", "only whole-slide images can be read at another resolution; this image is worked on at full resolution", "downsample 1");
            return new SessionRegion(x, y, w, h, 1, slice);
        }
        try
        {
            var plan = p.Mpp is { } mpp ? SlideRegionPlan.ForMpp(slide, x, y, w, h, mpp)
                : given == 0 && modelPixelSizeUm is { } um && slide.Mpp is { } own ? SlideRegionPlan.ForMpp(slide, x, y, w, h, Math.Max(um, own))
                : p.Magnification is { } mag ? SlideRegionPlan.ForMagnification(slide, x, y, w, h, mag)
                : SlideRegionPlan.ForDownsample(slide, x, y, w, h, p.Downsample ?? 1);
            CheckSize(plan.Width, plan.Height, plan.Downsample);
            return new SessionRegion(x, y, w, h, plan.Downsample);
        }
        catch (ArgumentOutOfRangeException e) { throw new EngineArgumentException(e.ParamName ?? "region", FirstLine(e.Message)); }
        catch (SlideException e) { throw new EngineArgumentException("mpp|magnification", e.Message); }
    }

    /// <summary>A volume needs a slice inside it; a 2D image must not be given one.</summary>
    private static int? CheckSlice(StoredImage image, int? slice)
    {
        if (image.Volume is not { } volume)
            return slice is null ? null
                : throw new EngineArgumentException("slice", $"slice is only for volumes; {image.Id} is a 2D image ({image.Width}×{image.Height})", "no slice");
        if (slice is not { } z)
            throw new EngineArgumentException("slice", $"{image.Id} is a {volume.Width}×{volume.Height}×{volume.Depth} volume: give the axial slice to work on", $"0..{volume.Depth - 1}");
        if (z < 0 || z >= volume.Depth)
            throw new EngineArgumentException("slice", $"slice {z} is outside the volume's {volume.Depth} slices", $"0..{volume.Depth - 1}");
        return z;
    }

    /// <summary>Reads the session's pixels (also used to rebuild a session from its journal).</summary>
    public (ImageRaster Raster, RegionMapping Mapping) Read(StoredImage image, SessionRegion region, CancellationToken ct = default)
    {
        if (image.Slide is not { } slide)
        {
            // A volume's slice is windowed to 8 bits on demand: only the sessions' slices exist as rasters.
            var raster = image.Volume is { } volume
                ? volume.SliceAsRaster(region.Slice ?? throw new ArgumentException($"a session on volume {image.Id} names no slice"))
                : image.Raster!;
            var whole = region.X == 0 && region.Y == 0 && region.Width == raster.Width && region.Height == raster.Height;
            return (whole ? raster : raster.Crop((int)region.X, (int)region.Y, (int)region.Width, (int)region.Height),
                new RegionMapping(region.X, region.Y, 1));
        }
        var plan = SlideRegionPlan.ForDownsample(slide, region.X, region.Y, region.Width, region.Height, region.Downsample);
        CheckSize(plan.Width, plan.Height, plan.Downsample);
        return (plan.Read(new CachedSlideReader(slide, tileCache), ct), plan.Mapping);
    }

    private void CheckSize(int width, int height, double downsample)
    {
        var pixels = (long)width * height;
        if (pixels > options.MaxImagePixels)
            throw new RegionTooLargeException("region",
                $"the region at downsample {downsample:0.###} is {width}×{height} = {pixels} pixels; a session may have at most {options.MaxImagePixels}: choose a smaller region or a coarser mpp",
                $"at most {options.MaxImagePixels} working pixels");
    }

    private static string FirstLine(string message) => message.Split(" (Parameter")[0];
}
