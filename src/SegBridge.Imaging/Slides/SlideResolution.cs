using System.Globalization;

namespace SegBridge.Imaging.Slides;

/// <summary>Pixel size (µm per level-0 pixel) from a slide's OpenSlide properties.</summary>
public static class SlideResolution
{
    /// <summary>
    /// <c>openslide.mpp-x</c>/<c>openslide.mpp-y</c> when present (Aperio, Hamamatsu, …). Otherwise, for
    /// generic TIFFs, <c>tiff.XResolution</c>/<c>tiff.YResolution</c> (pixels per unit) with
    /// <c>tiff.ResolutionUnit</c> <c>centimeter</c> (µm = 10000/res) or <c>inch</c> (µm = 25400/res); any other
    /// unit (<c>none</c>, absent) gives null, as does a missing, non-numeric or non-positive value.
    /// </summary>
    public static (double? X, double? Y) MicronsPerPixel(IReadOnlyDictionary<string, string> properties)
    {
        double? x = ParsePositive(properties.GetValueOrDefault("openslide.mpp-x"));
        double? y = ParsePositive(properties.GetValueOrDefault("openslide.mpp-y"));
        if (x is not null && y is not null) return (x, y);
        double? micronsPerUnit = properties.GetValueOrDefault("tiff.ResolutionUnit")?.Trim().ToLowerInvariant() switch
        {
            "centimeter" or "centimetre" or "cm" or "3" => 10_000,
            "inch" or "2" => 25_400,
            _ => null,
        };
        if (micronsPerUnit is null) return (x, y);
        x ??= micronsPerUnit / ParsePositive(properties.GetValueOrDefault("tiff.XResolution"));
        y ??= micronsPerUnit / ParsePositive(properties.GetValueOrDefault("tiff.YResolution"));
        return (x, y);
    }

    /// <summary>A finite, positive invariant-culture number, else null.</summary>
    public static double? ParsePositive(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) && v > 0 ? v : null;
}
