using BitMiracle.LibTiff.Classic;

namespace SegBridge.Imaging.Codecs;

/// <summary>The tags of a TIFF page that decide how its pixels can be read.</summary>
internal sealed record TiffLayout(
    int Width, int Height, int BitsPerSample, int SamplesPerPixel, Photometric Photometric,
    SampleFormat SampleFormat, PlanarConfig Planar, Compression Compression,
    bool Tiled, int TileWidth, int TileHeight, int RowsPerStrip)
{
    public static TiffLayout Describe(Tiff tif, int width, int height)
    {
        int Defaulted(TiffTag tag, int fallback) => tif.GetFieldDefaulted(tag) is { Length: > 0 } v ? v[0].ToInt() : fallback;
        // Photometric has no default in the spec; guess as libtiff does: grey for 1 sample, RGB otherwise.
        int spp = Defaulted(TiffTag.SAMPLESPERPIXEL, 1);
        var photometric = tif.GetField(TiffTag.PHOTOMETRIC) is { Length: > 0 } p
            ? (Photometric)p[0].ToInt() : spp >= 3 ? Photometric.RGB : Photometric.MINISBLACK;
        bool tiled = tif.IsTiled();
        int rowsPerStrip = tiled ? 0 : Math.Clamp(Defaulted(TiffTag.ROWSPERSTRIP, height), 1, height);
        return new TiffLayout(width, height,
            Defaulted(TiffTag.BITSPERSAMPLE, 1), spp, photometric,
            (SampleFormat)Defaulted(TiffTag.SAMPLEFORMAT, (int)SampleFormat.UINT),
            (PlanarConfig)Defaulted(TiffTag.PLANARCONFIG, (int)PlanarConfig.CONTIG),
            (Compression)Defaulted(TiffTag.COMPRESSION, (int)Compression.NONE),
            tiled, tiled ? Defaulted(TiffTag.TILEWIDTH, 0) : 0, tiled ? Defaulted(TiffTag.TILELENGTH, 0) : 0, rowsPerStrip);
    }

    public int BytesPerPixel => BitsPerSample / 8 * SamplesPerPixel;

    public bool MinIsWhite => Photometric == Photometric.MINISWHITE;

    public bool IsGreyscale => Photometric is Photometric.MINISBLACK or Photometric.MINISWHITE;

    /// <summary>True when samples can be copied straight out of the strips/tiles without LibTiff's RGBA renderer.</summary>
    public bool CanReadSamples =>
        Planar == PlanarConfig.CONTIG
        && Compression is not (Compression.JPEG or Compression.OJPEG)
        && (Tiled ? TileWidth > 0 && TileHeight > 0 && (long)TileWidth * TileHeight * BytesPerPixel <= Array.MaxLength : RowsPerStrip > 0)
        && SampleKindSupported
        && (SamplesPerPixel == 1 ? IsGreyscale : SamplesPerPixel is 3 or 4 && Photometric == Photometric.RGB);

    private bool SampleKindSupported => (BitsPerSample, SampleFormat) switch
    {
        (8 or 16, SampleFormat.UINT) => true,
        (32, SampleFormat.IEEEFP) => true,
        _ => false,
    };

    public string Summary => $"{BitsPerSample}-bit {SampleFormat}, {SamplesPerPixel} samples, {Photometric}, {Compression}, {(Tiled ? "tiled" : "strips")}";
}
