using System.Collections.Concurrent;
using SegBridge.Imaging.Rasters;

namespace SegBridge.Engine.Images;

/// <summary>Opened images, shared by every connection. Sessions keep their own reference, so closing an image never breaks a session.</summary>
public sealed class ImageStore
{
    private readonly ConcurrentDictionary<string, StoredImage> _images = new(StringComparer.Ordinal);
    private long _next;

    public StoredImage Add(ImageRaster raster, string? name, ImageOrigin origin)
    {
        var id = $"img-{Interlocked.Increment(ref _next)}";
        var image = new StoredImage(id, raster, name, origin);
        _images[id] = image;
        return image;
    }

    public bool TryGet(string id, out StoredImage image) => _images.TryGetValue(id, out image!);

    public bool Remove(string id) => _images.TryRemove(id, out _);
}

public sealed record StoredImage(string Id, ImageRaster Raster, string? Name, ImageOrigin Origin);
