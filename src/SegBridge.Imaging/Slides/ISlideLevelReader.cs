namespace SegBridge.Imaging.Slides;

/// <summary>
/// Reads rectangles of a slide's level in that level's own pixel coordinates. <see cref="SlideImage"/> reads
/// straight through OpenSlide; <see cref="CachedSlideReader"/> assembles the rectangle from an LRU cache of
/// level tiles. <see cref="SlideRegionPlan"/> and <see cref="TiledRegion"/> read through this interface.
/// </summary>
public interface ISlideLevelReader
{
    SlideImage Slide { get; }

    /// <summary>
    /// Level pixels [lx, lx+width) × [ly, ly+height) of <paramref name="level"/> into
    /// <paramref name="destination"/> (row-major RGB, width*height*3 bytes); pixels outside the slide are white.
    /// </summary>
    void ReadLevelPixels(int level, long lx, long ly, int width, int height, Span<byte> destination, CancellationToken cancellationToken = default);
}
