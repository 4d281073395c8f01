using NLog;
using SegBridge.Imaging.Codecs;
using SegBridge.Imaging.Slides;
using SegBridge.Imaging.Volumes;

namespace SegBridge.Engine.Images;

/// <summary>
/// Opens an image file: as a NIfTI volume when its name or first bytes say NIfTI, as a whole-slide image
/// when OpenSlide reads it as one (any vendor format, or a TIFF with a pyramid or too large to decode
/// whole), otherwise decoded into a raster. Used by images/open and by journal restore, so both see a
/// file the same way.
/// </summary>
public sealed class ImageOpener(EngineOptions options, ImageStore store)
{
    private static readonly Logger Log = LogManager.GetCurrentClassLogger();

    /// <summary>Opens <paramref name="path"/> (already resolved and allowed); decoding errors are <see cref="ImageDecodeException"/>s.</summary>
    public StoredImage OpenFile(string path, string? name)
    {
        name ??= Path.GetFileName(path);
        if (NiftiReader.IsNiftiPath(path) || NiftiReader.FileLooksLikeNifti(path))
        {
            var volume = NiftiReader.ReadFile(path, options.MaxVolumeVoxels, options.MaxImagePixels);
            Log.Info("opened volume '{0}' ({1} {2}x{3}x{4})", path, NiftiDataTypes.Name(volume.Type), volume.Width, volume.Height, volume.Depth);
            return store.AddVolume(volume, name, new ImageOrigin.File(path));
        }
        if (TryOpenSlide(path) is { } slide)
        {
            Log.Info("opened slide '{0}' ({1}, {2}x{3}, {4} levels)", path, slide.Vendor, slide.Width, slide.Height, slide.Levels.Count);
            return store.AddSlide(slide, name, path);
        }
        var raster = ImageDecoder.DecodeFile(path, options.MaxImagePixels);
        return store.Add(raster, name, new ImageOrigin.File(path));
    }

    /// <summary>Whether bytes a client sent are a NIfTI volume (plain or gzip) rather than a 2D image.</summary>
    public static bool IsVolume(byte[] encoded) => NiftiReader.LooksLikeNifti(encoded, Math.Min(encoded.Length, 1 << 16));

    /// <summary>Opens a NIfTI volume sent as bytes (images/open encoded, or a journal's stored copy).</summary>
    public StoredImage OpenVolumeBytes(byte[] encoded, string? name)
        => store.AddVolume(NiftiReader.Read(encoded, options.MaxVolumeVoxels, options.MaxImagePixels), name, new ImageOrigin.VolumeBytes(encoded));

    private SlideImage? TryOpenSlide(string path)
    {
        var head = new byte[16];
        try
        {
            using var f = File.OpenRead(path);
            _ = f.Read(head);
        }
        catch (IOException) { return null; } // the decoder reports unreadable files with the path
        if (ImageFormatSniffer.Detect(head) is not (ImageFormat.Tiff or ImageFormat.Unknown)) return null;
        SlideImage slide;
        try { slide = SlideImage.Open(path); }
        catch (SlideException e)
        {
            Log.Info("{0} is not read as a slide: {1}", path, e.Message);
            return null;
        }
        if (slide.Vendor == "generic-tiff" && slide.Levels.Count == 1 && slide.Width * slide.Height <= options.MaxImagePixels)
        {
            slide.Dispose(); // a flat TIFF small enough to decode whole is just an image
            return null;
        }
        return slide;
    }
}
