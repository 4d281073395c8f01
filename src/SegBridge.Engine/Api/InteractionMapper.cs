using SegBridge.Engine.Sessions;
using SegBridge.Imaging.Codecs;
using SegBridge.Imaging.Geometry;
using SegBridge.Imaging.Interactions;
using SegBridge.Protocol;
using SegBridge.Protocol.Messages;

namespace SegBridge.Engine.Api;

/// <summary>
/// Turns the protocol's interaction records (image / level-0 coordinates) into imaging-layer interactions
/// on the session's working raster, checking each so a bad click is refused with a message that says
/// where the image (or the session's region) ends, in the client's own coordinates.
/// </summary>
internal sealed class InteractionMapper(EngineOptions options)
{
    public (string Kind, Interaction Interaction) Map(InteractParams p, Session session)
    {
        var area = new Area(session);
        var given = new (string Kind, object? Value)[] { ("click", p.Click), ("scribble", p.Scribble), ("labels", p.Labels), ("box", p.Box), ("extremePoints", p.ExtremePoints) }
            .Where(x => x.Value is not null).ToList();
        if (given.Count != 1)
            throw Errors.Argument("click|scribble|labels|box|extremePoints",
                given.Count == 0 ? "sessions/interact needs one interaction: click, scribble, labels, box or extremePoints"
                                 : $"sessions/interact takes exactly one interaction, got {string.Join(" and ", given.Select(g => g.Kind))}",
                string.Join(", ", InteractionKinds.All));
        return given[0].Kind switch
        {
            "click" => ("click", MapClick(p.Click!, area)),
            "scribble" => ("scribble", MapScribble(p.Scribble!, area)),
            "labels" => ("labels", MapLabels(p.Labels!, area.Width, area.Height)),
            "extremePoints" => ("extremePoints", MapExtremePoints(p.ExtremePoints!, area)),
            _ => ("box", MapBox(p.Box!, area)),
        };
    }

    /// <summary>The working raster, its mapping, and how to name its extent in the client's coordinates.</summary>
    private sealed class Area(Session session)
    {
        public int Width { get; } = session.Raster.Width;
        public int Height { get; } = session.Raster.Height;
        public RegionMapping Mapping { get; } = session.Mapping;
        private readonly SessionRegion _r = session.Region;
        private readonly bool _whole = session.Region.X == 0 && session.Region.Y == 0 && session.Region.Width == session.Image.Width && session.Region.Height == session.Image.Height;

        public string Name => _whole ? $"the {_r.Width}×{_r.Height} image" : $"the session's region ({_r.X}, {_r.Y}, {_r.Width}×{_r.Height})";
        public string Allowed => $"{_r.X} <= x < {_r.X + _r.Width}, {_r.Y} <= y < {_r.Y + _r.Height}";
        public bool Contains(double u, double v) => u >= 0 && v >= 0 && u < Width && v < Height;
    }

    private Click MapClick(ClickDto c, Area area)
    {
        double x = Errors.Finite(c.X, "click.x"), y = Errors.Finite(c.Y, "click.y");
        var (u, v) = area.Mapping.ToWorking(x, y);
        if (!area.Contains(u, v))
            throw Errors.Make(ErrorCodes.InvalidInteraction, $"click ({x:0.##}, {y:0.##}) is outside {area.Name}", "click", area.Allowed);
        var radius = c.Radius is { } r ? Errors.Finite(r, "click.radius") : options.DefaultClickRadius * area.Mapping.Downsample;
        var maxRadius = Math.Max(area.Width, area.Height) * area.Mapping.Downsample;
        if (radius < 0 || radius > maxRadius)
            throw Errors.Make(ErrorCodes.InvalidInteraction, $"click.radius {radius} is out of range", "click.radius", $"0..{maxRadius}");
        return (Click)area.Mapping.ToWorking(new Click(x, y, c.Positive, radius));
    }

    private Scribble MapScribble(ScribbleDto s, Area area)
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
            var (u, v) = area.Mapping.ToWorking(x, y);
            anyInside |= area.Contains(u, v);
            points.Add(new PointD(x, y));
        }
        if (!anyInside)
            throw Errors.Make(ErrorCodes.InvalidInteraction, $"every point of the scribble is outside {area.Name}", "scribble.points", $"at least one point with {area.Allowed}");
        var strokeWidth = s.Width is { } w ? Errors.Finite(w, "scribble.width") : options.DefaultScribbleWidth * area.Mapping.Downsample;
        var maxWidth = 512 * area.Mapping.Downsample;
        if (strokeWidth <= 0 || strokeWidth > maxWidth)
            throw Errors.Make(ErrorCodes.InvalidInteraction, $"scribble.width {strokeWidth} is out of range", "scribble.width", $"(0, {maxWidth}]");
        return (Scribble)area.Mapping.ToWorking(new Scribble(points, s.Positive, strokeWidth));
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

    /// <summary>Four points inside the area that span an object at least one pixel wide and high.</summary>
    private static ExtremePoints MapExtremePoints(ExtremePointsDto e, Area area)
    {
        const string field = "extremePoints.points";
        if (e.Points is not { Length: 4 })
            throw Errors.Make(ErrorCodes.InvalidInteraction, $"extremePoints.points has {e.Points?.Length ?? 0} points; it takes the object's 4 extreme points (left-, right-, top- and bottom-most)", field, "4 [x, y] points");
        var points = new PointD[4];
        for (int i = 0; i < 4; i++)
        {
            var pt = e.Points[i];
            if (pt is null || pt.Length != 2)
                throw Errors.Make(ErrorCodes.InvalidInteraction, $"extremePoints.points[{i}] must be an [x, y] pair", $"{field}[{i}]", "[x, y]");
            double x = Errors.Finite(pt[0], $"{field}[{i}][0]"), y = Errors.Finite(pt[1], $"{field}[{i}][1]");
            var (u, v) = area.Mapping.ToWorking(x, y);
            if (!area.Contains(u, v))
                throw Errors.Make(ErrorCodes.InvalidInteraction, $"extremePoints.points[{i}] ({x:0.##}, {y:0.##}) is outside {area.Name}", $"{field}[{i}]", area.Allowed);
            points[i] = new PointD(u, v);
        }
        if (points.Max(p => p.X) - points.Min(p => p.X) < 1 || points.Max(p => p.Y) - points.Min(p => p.Y) < 1)
            throw Errors.Make(ErrorCodes.InvalidInteraction, "the extreme points span less than one pixel across or down: they must be the object's left-, right-, top- and bottom-most points", field, "points spanning at least 1 pixel in x and in y");
        return new ExtremePoints(points);
    }

    private static Box MapBox(BoxDto b, Area area)
    {
        double x0 = Errors.Finite(b.X0, "box.x0"), y0 = Errors.Finite(b.Y0, "box.y0"), x1 = Errors.Finite(b.X1, "box.x1"), y1 = Errors.Finite(b.Y1, "box.y1");
        if (x1 <= x0 || y1 <= y0)
            throw Errors.Make(ErrorCodes.InvalidInteraction, $"box ({x0}, {y0}, {x1}, {y1}) is empty: x1 must exceed x0 and y1 exceed y0", "box", "x0 < x1, y0 < y1");
        var w = (Box)area.Mapping.ToWorking(new Box(x0, y0, x1, y1));
        if (w.X1 <= 0 || w.Y1 <= 0 || w.X0 >= area.Width || w.Y0 >= area.Height)
            throw Errors.Make(ErrorCodes.InvalidInteraction, $"box ({x0}, {y0}, {x1}, {y1}) does not overlap {area.Name}", "box", $"overlapping {area.Allowed}");
        return new Box(Math.Max(0, w.X0), Math.Max(0, w.Y0), Math.Min(area.Width, w.X1), Math.Min(area.Height, w.Y1));
    }

    /// <summary>The protocol record of an applied interaction, for sessions/history, back in image coordinates.</summary>
    public static InteractionRecord ToRecord(Interaction working, RegionMapping mapping)
    {
        // The inverse of image → working is itself a mapping: origin −o/d, downsample 1/d.
        var toImage = new RegionMapping(-mapping.OriginX / mapping.Downsample, -mapping.OriginY / mapping.Downsample, 1 / mapping.Downsample);
        return ToRecord(working is LabelImage ? working : toImage.ToWorking(working));
    }

    private static InteractionRecord ToRecord(Interaction i) => i switch
    {
        Click c => new InteractionRecord { Type = "click", Click = new ClickDto { X = c.X, Y = c.Y, Positive = c.Positive, Radius = c.Radius } },
        Scribble s => new InteractionRecord { Type = "scribble", Scribble = new ScribbleDto { Points = s.Points.Select(p => new[] { p.X, p.Y }).ToArray(), Positive = s.Positive, Width = s.Width } },
        Box b => new InteractionRecord { Type = "box", Box = new BoxDto { X0 = b.X0, Y0 = b.Y0, X1 = b.X1, Y1 = b.Y1 } },
        ExtremePoints e => new InteractionRecord { Type = "extremePoints", ExtremePoints = new ExtremePointsDto { Points = e.Points.Select(p => new[] { p.X, p.Y }).ToArray() } },
        LabelImage l => new InteractionRecord { Type = "labels", LabelledPixels = l.Labels.LongCount(v => v != 0) },
        _ => throw new InvalidOperationException($"unknown interaction {i.GetType().Name}"),
    };
}
