using System.Collections.Concurrent;
using SegBridge.Imaging.Rasters;
using SegBridge.Imaging.Slides;
using SegBridge.Imaging.Volumes;

namespace SegBridge.Engine.Images;

/// <summary>Opened images, shared by every connection. Sessions keep their own reference, so closing an image never breaks a session.</summary>
public sealed class ImageStore
{
    private readonly ConcurrentDictionary<string, StoredImage> _images = new(StringComparer.Ordinal);
    private long _next;

    public StoredImage Add(ImageRaster raster, string? name, ImageOrigin origin) => Store(id => new StoredImage(id, raster, null, name, origin));

    public StoredImage AddSlide(SlideImage slide, string? name, string path) => Store(id => new StoredImage(id, null, slide, name, new ImageOrigin.File(path)));

    public StoredImage AddVolume(Volume volume, string? name, ImageOrigin origin) => Store(id => new StoredImage(id, null, null, name, origin) { Volume = volume });

    private StoredImage Store(Func<string, StoredImage> make)
    {
        var image = make($"img-{Interlocked.Increment(ref _next)}");
        _images[image.Id] = image;
        return image;
    }

    public bool TryGet(string id, out StoredImage image) => _images.TryGetValue(id, out image!);

    /// <summary>Forgets an image; a slide's file handle is closed (sessions keep the pixels they read).</summary>
    public bool Remove(string id)
    {
        if (!_images.TryRemove(id, out var image)) return false;
        image.Slide?.Dispose();
        return true;
    }
}

/// <summary>
/// An opened image: decoded pixels, a whole-slide image read region by region through OpenSlide, or a
/// volume whose sessions each work on one axial slice. Exactly one of Raster, Slide and Volume is set.
/// </summary>
public sealed record StoredImage(string Id, ImageRaster? Raster, SlideImage? Slide, string? Name, ImageOrigin Origin)
{
    public Volume? Volume { get; init; }
    public long Width => Raster?.Width ?? Volume?.Width ?? Slide!.Width;
    public long Height => Raster?.Height ?? Volume?.Height ?? Slide!.Height;
}
