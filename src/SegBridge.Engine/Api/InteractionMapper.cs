using SegBridge.Imaging.Codecs;
using SegBridge.Imaging.Interactions;
using SegBridge.Protocol;
using SegBridge.Protocol.Messages;

namespace SegBridge.Engine.Api;

/// <summary>
/// Turns the protocol's interaction records into imaging-layer interactions, checking each against the
/// image so a bad click is refused with a message that says where the image ends.
/// </summary>
internal sealed class InteractionMapper(EngineOptions options)
{
    public (string Kind, Interaction Interaction) Map(InteractParams p, int width, int height)
    {
        var given = new (string Kind, object? Value)[] { ("click", p.Click), ("scribble", p.Scribble), ("labels", p.Labels), ("box", p.Box) }
            .Where(x => x.Value is not null).ToList();
        if (given.Count != 1)
            throw Errors.Argument("click|scribble|labels|box",
                given.Count == 0 ? "sessions/interact needs one interaction: click, scribble, labels or box"
                                 : $"sessions/interact takes exactly one interaction, got {string.Join(" and ", given.Select(g => g.Kind))}",
                string.Join(", ", InteractionKinds.All));
        return given[0].Kind switch
        {
            "click" => ("click", MapClick(p.Click!, width, height)),
            "scribble" => ("scribble", MapScribble(p.Scribble!, width, height)),
            "labels" => ("labels", MapLabels(p.Labels!, width, height)),
            _ => ("box", MapBox(p.Box!, width, height)),
        };
    }

    private Click MapClick(ClickDto c, int width, int height)
    {
        double x = Errors.Finite(c.X, "click.x"), y = Errors.Finite(c.Y, "click.y");
        if (x < 0 || y < 0 || x >= width || y >= height)
            throw Errors.Make(ErrorCodes.InvalidInteraction, $"click ({x:0.##}, {y:0.##}) is outside the {width}×{height} image", "click", $"0 <= x < {width}, 0 <= y < {height}");
        var radius = c.Radius is { } r ? Errors.Finite(r, "click.radius") : options.DefaultClickRadius;
        var maxRadius = Math.Max(width, height);
        if (radius < 0 || radius > maxRadius)
            throw Errors.Make(ErrorCodes.InvalidInteraction, $"click.radius {radius} is out of range", "click.radius", $"0..{maxRadius}");
        return new Click(x, y, c.Positive, radius);
    }

    private Scribble MapScribble(ScribbleDto s, int width, int height)
    {
        if (s.Points is null || s.Points.Length == 0)
            throw Errors.Make(ErrorCodes.InvalidInteraction, "scribble.points is empty; a scribble needs at least one [x, y] point", "scribble.points", "1.." + options.MaxScribblePoints + " points");
        if (s.Points.Length > options.MaxScribblePoints)
            throw Errors.Make(ErrorCodes.LimitExceeded, $"scribble has {s.Points.Length} points; the limit is {options.MaxScribblePoints}", "scribble.points", "1.." + options.MaxScribblePoints + " points");
        var points = new List<PointD>(s.Points.Length);
        bool anyInside = false;
        for (int i = 0; i < s.Points.Length; i++)
        {
            var pt = s.Points[i];
            if (pt is null || pt.Length != 2)
                throw Errors.Make(ErrorCodes.InvalidInteraction, $"scribble.points[{i}] must be an [x, y] pair", $"scribble.points[{i}]", "[x, y]");
            double x = Errors.Finite(pt[0], $"scribble.points[{i}][0]"), y = Errors.Finite(pt[1], $"scribble.points[{i}][1]");
            anyInside |= x >= 0 && y >= 0 && x < width && y < height;
            points.Add(new PointD(x, y));
        }
        if (!anyInside)
            throw Errors.Make(ErrorCodes.InvalidInteraction, $"every point of the scribble is outside the {width}×{height} image", "scribble.points", $"at least one point with 0 <= x < {width}, 0 <= y < {height}");
        var strokeWidth = s.Width is { } w ? Errors.Finite(w, "scribble.width") : options.DefaultScribbleWidth;
        if (strokeWidth <= 0 || strokeWidth > 512)
            throw Errors.Make(ErrorCodes.InvalidInteraction, $"scribble.width {strokeWidth} is out of range", "scribble.width", "(0, 512]");
        return new Scribble(points, s.Positive, strokeWidth);
    }

    private LabelImage MapLabels(LabelsDto l, int width, int height)
    {
        if ((l.Png is null) == (l.Raw is null))
            throw Errors.Make(ErrorCodes.InvalidInteraction, "labels needs exactly one of png or raw", "labels", "png | raw");
        byte[] labels;
        if (l.Png is not null)
        {
            (int w, int h, byte[] data) decoded;
            try { decoded = ImageDecoder.DecodeLabels(l.Png, options.MaxImagePixels); }
            catch (ImageDecodeException e) { throw Errors.Make(ErrorCodes.InvalidInteraction, $"labels.png: {e.Message}", "labels.png"); }
            if (decoded.w != width || decoded.h != height)
                throw Errors.Make(ErrorCodes.InvalidInteraction, $"labels.png is {decoded.w}×{decoded.h}; the image is {width}×{height}", "labels.png", $"{width}×{height}");
            labels = decoded.data;
        }
        else
        {
            if (l.Raw!.LongLength != (long)width * height)
                throw Errors.Make(ErrorCodes.InvalidInteraction, $"labels.raw has {l.Raw.LongLength} bytes; expected width*height = {(long)width * height}", "labels.raw", $"{(long)width * height} bytes");
            labels = l.Raw;
        }
        long labelled = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] > 2)
                throw Errors.Make(ErrorCodes.InvalidInteraction, $"labels has value {labels[i]} at pixel ({i % width}, {i / width})", "labels", "0 unlabelled, 1 foreground, 2 background");
            if (labels[i] != 0) labelled++;
        }
        if (labelled == 0)
            throw Errors.Make(ErrorCodes.InvalidInteraction, "labels has no labelled pixel (all 0): nothing to segment from", "labels", "at least one pixel labelled 1 or 2");
        return new LabelImage(labels, width, height);
    }

    private static Box MapBox(BoxDto b, int width, int height)
    {
        double x0 = Errors.Finite(b.X0, "box.x0"), y0 = Errors.Finite(b.Y0, "box.y0"), x1 = Errors.Finite(b.X1, "box.x1"), y1 = Errors.Finite(b.Y1, "box.y1");
        if (x1 <= x0 || y1 <= y0)
            throw Errors.Make(ErrorCodes.InvalidInteraction, $"box ({x0}, {y0}, {x1}, {y1}) is empty: x1 must exceed x0 and y1 exceed y0", "box", "x0 < x1, y0 < y1");
        if (x1 <= 0 || y1 <= 0 || x0 >= width || y0 >= height)
            throw Errors.Make(ErrorCodes.InvalidInteraction, $"box ({x0}, {y0}, {x1}, {y1}) does not overlap the {width}×{height} image", "box", $"overlapping 0..{width} × 0..{height}");
        return new Box(Math.Max(0, x0), Math.Max(0, y0), Math.Min(width, x1), Math.Min(height, y1));
    }

    /// <summary>The protocol record of an applied interaction, for sessions/history.</summary>
    public static InteractionRecord ToRecord(Interaction i) => i switch
    {
        Click c => new InteractionRecord { Type = "click", Click = new ClickDto { X = c.X, Y = c.Y, Positive = c.Positive, Radius = c.Radius } },
        Scribble s => new InteractionRecord { Type = "scribble", Scribble = new ScribbleDto { Points = s.Points.Select(p => new[] { p.X, p.Y }).ToArray(), Positive = s.Positive, Width = s.Width } },
        Box b => new InteractionRecord { Type = "box", Box = new BoxDto { X0 = b.X0, Y0 = b.Y0, X1 = b.X1, Y1 = b.Y1 } },
        LabelImage l => new InteractionRecord { Type = "labels", LabelledPixels = l.Labels.LongCount(v => v != 0) },
        _ => throw new InvalidOperationException($"unknown interaction {i.GetType().Name}"),
    };
}
