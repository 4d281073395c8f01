using SegBridge.Imaging.Interactions;

namespace SegBridge.Engine.Journal;

/// <summary>Lossless conversion between imaging-layer interactions and their journal form.</summary>
public static class JournalInteractions
{
    public static JournalInteraction ToRecord(Interaction interaction) => interaction switch
    {
        Click c => new JournalInteraction { Type = "click", X = c.X, Y = c.Y, Positive = c.Positive, Size = c.Radius },
        Scribble s => new JournalInteraction { Type = "scribble", Positive = s.Positive, Size = s.Width, Points = s.Points.SelectMany(p => new[] { p.X, p.Y }).ToArray() },
        Box b => new JournalInteraction { Type = "box", X = b.X0, Y = b.Y0, X1 = b.X1, Y1 = b.Y1, Positive = true },
        ExtremePoints e => new JournalInteraction { Type = "extremePoints", Positive = true, Points = e.Points.SelectMany(p => new[] { p.X, p.Y }).ToArray() },
        LabelImage l => new JournalInteraction { Type = "labels", Labels = l.Labels, Width = l.Width, Height = l.Height, Positive = true },
        _ => throw new ArgumentException($"cannot journal {interaction.GetType().Name}"),
    };

    public static Interaction FromRecord(JournalInteraction r) => r.Type switch
    {
        "click" => new Click(r.X, r.Y, r.Positive, r.Size),
        "scribble" => new Scribble(Pairs(r.Points ?? throw new InvalidDataException("scribble without points")), r.Positive, r.Size),
        "box" => new Box(r.X, r.Y, r.X1, r.Y1),
        "extremePoints" => new ExtremePoints(Pairs(r.Points ?? throw new InvalidDataException("extremePoints without points"))),
        "labels" => new LabelImage(r.Labels ?? throw new InvalidDataException("labels without data"), r.Width, r.Height),
        _ => throw new InvalidDataException($"unknown interaction type '{r.Type}'"),
    };

    private static List<PointD> Pairs(double[] flat)
    {
        if (flat.Length % 2 != 0) throw new InvalidDataException("points must come in x, y pairs");
        var points = new List<PointD>(flat.Length / 2);
        for (int i = 0; i < flat.Length; i += 2) points.Add(new PointD(flat[i], flat[i + 1]));
        return points;
    }
}
