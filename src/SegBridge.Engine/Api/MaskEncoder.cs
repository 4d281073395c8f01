using SegBridge.Engine.Sessions;
using SegBridge.Imaging.Encodings;
using SegBridge.Protocol;
using SegBridge.Protocol.Messages;

namespace SegBridge.Engine.Api;

/// <summary>Encodes a session's current mask in the format the client asked for.</summary>
internal static class MaskEncoder
{
    public static string CheckFormat(string? format)
    {
        var f = string.IsNullOrEmpty(format) ? MaskFormats.Rle : format;
        return MaskFormats.All.Contains(f) ? f
            : throw Errors.Argument("format", $"unknown mask format '{format}'; allowed: {string.Join(", ", MaskFormats.All)}", string.Join(", ", MaskFormats.All));
    }

    public static double CheckTolerance(double? tolerance)
    {
        var t = tolerance ?? 0;
        return double.IsFinite(t) && t >= 0 && t <= 1000 ? t
            : throw Errors.Argument("tolerance", $"tolerance {t} is out of range", "0..1000 pixels");
    }

    public static MaskResult Encode(Session session, string format, double tolerance)
    {
        var mask = session.CurrentMask;
        var box = mask.BoundingBox();
        return new MaskResult
        {
            SessionId = session.Id,
            Format = format,
            Width = mask.Width,
            Height = mask.Height,
            OriginX = session.Mapping.OriginX,
            OriginY = session.Mapping.OriginY,
            Downsample = session.Mapping.Downsample,
            Bbox = box is { } b ? [b.X, b.Y, b.Width, b.Height] : null,
            ForegroundPixels = mask.CountForeground(),
            InteractionCount = session.InteractionCount,
            ModelMs = Math.Round(session.LastModelMs, 3),
            Notes = session.LastNotes,
            Rle = format == MaskFormats.Rle ? new RleDto { Size = [mask.Height, mask.Width], Counts = session.CurrentMaskRle } : null,
            Data = format switch
            {
                MaskFormats.Png => MaskPng.Encode(mask),
                MaskFormats.Raw => mask.Data,
                _ => null,
            },
            // Polygons go back in image (level-0) coordinates; the tolerance is in working pixels.
            Geometry = format == MaskFormats.Polygons ? new GeoJsonMultiPolygon { Coordinates = session.Mapping.PolygonsToImage(MaskPolygons.Trace(mask, tolerance)) } : null,
        };
    }
}
