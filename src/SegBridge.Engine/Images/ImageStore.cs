using SegBridge.Imaging.Rasters;
using SegBridge.Imaging.Slides;
using SegBridge.Imaging.Volumes;

namespace SegBridge.Engine.Images;

/// <summary>
/// Opened images, shared by every connection, each counted against the connection that opened it and against the
/// engine (<see cref="ImageLimits"/>): a client that opens images without closing them is refused before the engine
/// runs out of memory. Sessions keep their own reference, so closing an image never breaks a session; the store
/// drops its own on close, and the memory goes back once no session holds the pixels either.
/// </summary>
public sealed class ImageStore(ImageLimits limits)
{
    /// <summary>The owner of images the engine opened itself (journal restore): counted, never refused.</summary>
    public const long EngineOwner = 0;

    private readonly Dictionary<string, Entry> _images = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private long _next;

    public ImageStore() : this(ImageLimits.None) { }

    public StoredImage Add(ImageRaster raster, string? name, ImageOrigin origin, long owner = EngineOwner)
        => Store(id => new StoredImage(id, raster, null, name, origin), owner);

    public StoredImage AddSlide(SlideImage slide, string? name, string path, long owner = EngineOwner)
        => Store(id => new StoredImage(id, null, slide, name, new ImageOrigin.File(path)), owner);

    public StoredImage AddVolume(Volume volume, string? name, ImageOrigin origin, long owner = EngineOwner)
        => Store(id => new StoredImage(id, null, null, name, origin) { Volume = volume }, owner);

    /// <summary>Refuses, before anything is read, a new image for <paramref name="owner"/> when its count or bytes are already at a limit.</summary>
    public void CheckRoom(long owner) => CheckRoom(owner, 0);

    private StoredImage Store(Func<string, StoredImage> make, long owner)
    {
        lock (_lock)
        {
            var image = make($"img-{_next + 1}");
            try { CheckRoom(owner, image.HeldBytes); }
            catch { image.Slide?.Dispose(); throw; }
            _next++;
            _images[image.Id] = new Entry(image, owner, DateTime.UtcNow);
            return image;
        }
    }

    private void CheckRoom(long owner, long adding)
    {
        lock (_lock)
        {
            if (owner == EngineOwner) return;
            long count = _images.Count, bytes = 0, ownCount = 0, ownBytes = 0;
            foreach (var e in _images.Values)
            {
                bytes += e.Image.HeldBytes;
                if (e.Owner != owner) continue;
                ownCount++;
                ownBytes += e.Image.HeldBytes;
            }
            if (ownCount >= limits.MaxImagesPerClient)
                throw new ImageLimitException($"this connection already has {ownCount} open images; close some with images/close first", $"at most {limits.MaxImagesPerClient} open images per connection (--max-images-per-client)");
            if (count >= limits.MaxImages)
                throw new ImageLimitException($"the engine already has {count} open images; close some with images/close first", $"at most {limits.MaxImages} open images in the engine (--max-images)");
            if (ownBytes + adding > limits.MaxBytesPerClient)
                throw new ImageLimitException($"this connection's open images hold {Mb(ownBytes)} MB{Adding(adding)}; close some with images/close first", $"at most {Mb(limits.MaxBytesPerClient)} MB of open images per connection (--max-image-mb-per-client)");
            if (bytes + adding > limits.MaxBytes)
                throw new ImageLimitException($"the engine's open images hold {Mb(bytes)} MB{Adding(adding)}; close some with images/close first", $"at most {Mb(limits.MaxBytes)} MB of open images in the engine (--max-image-mb)");
        }
    }

    private static long Mb(long bytes) => (bytes + (1 << 20) - 1) >> 20;
    private static string Adding(long bytes) => bytes > 0 ? $" and this one needs {Mb(bytes)} MB more" : "";

    public bool TryGet(string id, out StoredImage image)
    {
        lock (_lock)
        {
            var found = _images.TryGetValue(id, out var entry);
            image = entry?.Image!;
            return found;
        }
    }

    /// <summary>Bytes of pixels the open images hold (all of them, or one owner's).</summary>
    public long HeldBytes(long? owner = null)
    {
        lock (_lock) return _images.Values.Where(e => owner is null || e.Owner == owner).Sum(e => e.Image.HeldBytes);
    }

    /// <summary>Forgets an image; a slide's file handle is closed (sessions keep the pixels they read).</summary>
    public bool Remove(string id)
    {
        Entry? entry;
        lock (_lock)
        {
            if (!_images.Remove(id, out entry)) return false;
        }
        entry.Image.Slide?.Dispose();
        MemoryReturn.AfterReleasing(entry.Image.HeldBytes);
        return true;
    }

    /// <summary>The connection has gone: its images stay for a reconnect, until <see cref="CloseOrphaned"/> closes them.</summary>
    public void Disown(long owner)
    {
        lock (_lock)
            foreach (var (id, e) in _images.ToList())
                if (e.Owner == owner) _images[id] = e with { Owner = null, OrphanedUtc = DateTime.UtcNow };
    }

    /// <summary>Closes images whose connection went away before <paramref name="cutoff"/>; returns their ids.</summary>
    public IReadOnlyList<string> CloseOrphaned(DateTime cutoff)
    {
        List<string> ids;
        lock (_lock) ids = [.. _images.Where(kv => kv.Value.Owner is null && kv.Value.OrphanedUtc < cutoff).Select(kv => kv.Key)];
        return [.. ids.Where(Remove)];
    }

    /// <param name="Owner">The connection that opened it; null once that connection is gone.</param>
    private sealed record Entry(StoredImage Image, long? Owner, DateTime OrphanedUtc);
}

/// <summary>
/// How many images, and how many bytes of pixels, may be open: per connection and in the whole engine.
/// Images the engine opens itself (journal restore) count toward the engine's total but are never refused.
/// </summary>
public sealed record ImageLimits(int MaxImages, int MaxImagesPerClient, long MaxBytes, long MaxBytesPerClient)
{
    public static ImageLimits None { get; } = new(int.MaxValue, int.MaxValue, long.MaxValue, long.MaxValue);
}

/// <summary>Opening one more image would pass a limit on open images.</summary>
public sealed class ImageLimitException(string message, string allowed) : EngineException(message, "images", allowed);

/// <summary>
/// An opened image: decoded pixels, a whole-slide image read region by region through OpenSlide, or a
/// volume whose sessions each work on one axial slice. Exactly one of Raster, Slide and Volume is set.
/// </summary>
public sealed record StoredImage(string Id, ImageRaster? Raster, SlideImage? Slide, string? Name, ImageOrigin Origin)
{
    public Volume? Volume { get; init; }
    public long Width => Raster?.Width ?? Volume?.Width ?? Slide!.Width;
    public long Height => Raster?.Height ?? Volume?.Height ?? Slide!.Height;

    /// <summary>Memory the image itself holds: its pixels or voxels (and a volume's bytes as sent); a slide's pixels stay in its file.</summary>
    public long HeldBytes => (Raster?.Pixels.LongLength ?? 0)
        + (Volume is { } v ? (long)v.Voxels.Length * v.Voxels.BytesPerVoxel : 0)
        + (Origin is ImageOrigin.VolumeBytes b ? b.Encoded.LongLength : 0);
}
