using SegBridge.Imaging.Codecs;

namespace SegBridge.Imaging.Slides;

/// <summary>
/// A whole-slide image could not be opened or read. The message names the slide path and says what to do;
/// it derives from <see cref="ImageDecodeException"/> so the engine's existing "unreadable image" mapping
/// applies. <see cref="LibraryMissing"/> is true when <c>libopenslide.so.0</c> itself could not be loaded
/// (an installation problem, not a bad file: the engine should report it as such).
/// </summary>
public class SlideException : ImageDecodeException
{
    /// <summary>The slide's path as given to <see cref="SlideImage.Open"/>, or null when not about one file.</summary>
    public string? SlidePath { get; }
    public bool LibraryMissing { get; }

    public SlideException(string message, string? slidePath = null, Exception? inner = null, bool libraryMissing = false)
        : base(message, inner!)
    {
        SlidePath = slidePath; LibraryMissing = libraryMissing;
    }

    internal static SlideException Missing(string? path, Exception inner) => new(
        $"OpenSlide is not installed: {OpenSlideNative.Library} could not be loaded ({inner.Message}); " +
        "install the Debian package libopenslide0 (apt-get install libopenslide0)", path, inner, libraryMissing: true);
}
