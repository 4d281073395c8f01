using System.Globalization;
using SegBridge.Protocol.Messages;

namespace SegBridge.Host.Commands;

/// <summary>The interactions verbs take on the command line, parsed into protocol records with one message per malformed value.</summary>
internal static class InteractionArguments
{
    public static ClickDto ParseClick(string text)
    {
        var parts = text.Split(',');
        if (parts.Length != 3 || parts[2] is not ("+" or "-") || !TryNumber(parts[0], out var x) || !TryNumber(parts[1], out var y))
            throw new CommandException($"--click '{text}' must be X,Y,+ or X,Y,- (e.g. 120,85,+)");
        return new ClickDto { X = x, Y = y, Positive = parts[2] == "+" };
    }

    public static BoxDto ParseBox(string text)
    {
        var v = Numbers(text, 4, "--box", "X0,Y0,X1,Y1 (e.g. 10,20,200,180)");
        return new BoxDto { X0 = v[0], Y0 = v[1], X1 = v[2], Y1 = v[3] };
    }

    /// <summary>Four points as eight numbers: the object's left-, right-, top- and bottom-most pixels, in any order.</summary>
    public static ExtremePointsDto ParseExtremePoints(string text)
    {
        var v = Numbers(text, 8, "--extreme", "X1,Y1,X2,Y2,X3,Y3,X4,Y4 (the object's four extreme points)");
        return new ExtremePointsDto { Points = Enumerable.Range(0, 4).Select(i => new[] { v[2 * i], v[2 * i + 1] }).ToArray() };
    }

    public static string Describe(InteractParams p) =>
        p.Click is { } c ? $"click ({c.X:0.#}, {c.Y:0.#}) {(c.Positive ? "+" : "-")}"
        : p.Box is not null ? "box"
        : p.ExtremePoints is not null ? "extreme points"
        : "scribbles";

    private static double[] Numbers(string text, int count, string option, string shape)
    {
        var parts = text.Split(',');
        var v = new double[count];
        if (parts.Length != count || !parts.Select((p, i) => TryNumber(p, out v[i])).All(ok => ok))
            throw new CommandException($"{option} '{text}' must be {shape}");
        return v;
    }

    private static bool TryNumber(string s, out double value)
        => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
}
