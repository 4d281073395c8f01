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

    /// <summary>
    /// Opens <paramref name="path"/> (already resolved and allowed). <paramref name="shown"/> is the path as the client
    /// gave it, the only one messages name; <paramref name="owner"/> the connection the image counts against. Decoding errors are <see cref="ImageDecodeException"/>s, a file that is
    /// not a regular file an <see cref="ImageFileException"/>.
    /// </summary>
    public StoredImage OpenFile(string path, string? name, string? shown = null, long owner = ImageStore.EngineOwner)
    {
        shown ??= path;
        name ??= Path.GetFileName(path);
        store.CheckRoom(owner);
        using var file = RegularFile.OpenRead(path, shown);
        var head = new byte[1 << 16];
        int got = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        file.Position = 0;
        if (NiftiReader.IsNiftiPath(path) || NiftiReader.LooksLikeNifti(head, got))
        {
            NiftiReader.RefuseHalfOfPair(path);
            Volume volume;
            try { volume = NiftiReader.Read(file, options.MaxVolumeVoxels, options.MaxImagePixels); }
            catch (IOException e) { throw new ImageDecodeException($"cannot read NIfTI file '{shown}'", e); }
            Log.Info("opened volume '{0}' ({1} {2}x{3}x{4})", path, NiftiDataTypes.Name(volume.Type), volume.Width, volume.Height, volume.Depth);
            return store.AddVolume(volume, name, new ImageOrigin.File(path), owner);
        }
        if (ImageFormatSniffer.Detect(head.AsSpan(0, Math.Min(got, 16))) is ImageFormat.Tiff or ImageFormat.Unknown && TryOpenSlide(path) is { } slide)
        {
            Log.Info("opened slide '{0}' ({1}, {2}x{3}, {4} levels)", path, slide.Vendor, slide.Width, slide.Height, slide.Levels.Count);
            return store.AddSlide(slide, name, path, owner);
        }
        var raster = ImageDecoder.DecodeFile(file, shown, options.MaxImagePixels);
        return store.Add(raster, name, new ImageOrigin.File(path), owner);
    }

    /// <summary>Whether bytes a client sent are a NIfTI volume (plain or gzip) rather than a 2D image.</summary>
    public static bool IsVolume(byte[] encoded) => NiftiReader.LooksLikeNifti(encoded, Math.Min(encoded.Length, 1 << 16));

    /// <summary>Opens a NIfTI volume sent as bytes (images/open encoded, or a journal's stored copy).</summary>
    public StoredImage OpenVolumeBytes(byte[] encoded, string? name, long owner = ImageStore.EngineOwner)
    {
        store.CheckRoom(owner);
        return store.AddVolume(NiftiReader.Read(encoded, options.MaxVolumeVoxels, options.MaxImagePixels), name, new ImageOrigin.VolumeBytes(encoded), owner);
    }

    /// <summary>The file as a whole-slide image, or null when it is none (its TIFF or unknown header was checked by the caller, and that it is a regular file).</summary>
    private SlideImage? TryOpenSlide(string path)
    {
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
