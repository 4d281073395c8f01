using System.Globalization;

namespace SegBridge.Models.Training;

/// <summary>
/// A trainer's typed view of <see cref="TrainingRequest.Options"/>: each value parsed as invariant text, checked
/// against its range and refused by name (spelled as the front end spells it); an option the family does not take
/// is refused when the reader is made. Omitted options take the defaults the trainer declares.
/// </summary>
public sealed class TrainingOptionReader
{
    private readonly TrainingRequest request;
    private readonly Dictionary<string, TrainingOption> declared;

    public TrainingOptionReader(TrainingRequest request, IReadOnlyList<TrainingOption> options)
    {
        this.request = request;
        declared = options.ToDictionary(o => o.Name, StringComparer.Ordinal);
        foreach (var name in request.Options.Keys)
            if (!declared.ContainsKey(name))
                throw new TrainingOptionException(name, $"{Spell(name)} is not an option of {Spell("family")} {request.Family}; allowed: {string.Join(", ", options.Select(o => Spell(o.Name)))}",
                    string.Join(", ", options.Select(o => o.Name)));
    }

    public string Spell(string name) => request.Spell(name);

    public bool Given(string name) => request.Options.ContainsKey(name);

    /// <summary>A refusal naming the option as the user wrote it: "--crop is 50; it must be a multiple of 16".</summary>
    public TrainingOptionException Refuse(string name, string problem, string allowed) => new(name, $"{Spell(name)} {problem}", allowed);

    public string Text(string name) => Raw(name) ?? throw Refuse(name, "is required", declared[name].Allowed);

    public string? OptionalText(string name) => Raw(name);

    public int Int(string name, int min, int max)
        => OptionalInt(name, min, max) ?? throw Refuse(name, "is required", $"an integer in [{min}, {max}]");

    public int? OptionalInt(string name, int min, int max)
    {
        if (Raw(name) is not { } text) return null;
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            throw Refuse(name, $"is '{text}'; allowed: an integer in [{min}, {max}]", $"an integer in [{min}, {max}]");
        if (value < min || value > max) throw Refuse(name, $"is {value}; allowed range is [{min}, {max}]", $"[{min}, {max}]");
        return value;
    }

    /// <summary>A number whose allowed set <paramref name="range"/> describes, e.g. "(0, 1]".</summary>
    public double Double(string name, Func<double, bool> allowed, string range)
    {
        var text = Raw(name) ?? throw Refuse(name, "is required", range);
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            throw Refuse(name, $"is '{text}'; allowed: a number in {range}", range);
        if (!allowed(value)) throw Refuse(name, FormattableString.Invariant($"is {value}; allowed range is {range}"), range);
        return value;
    }

    public bool Switch(string name) => Raw(name) switch
    {
        null or "false" => false,
        "true" => true,
        var text => throw Refuse(name, $"is '{text}'; allowed: true, false", "true, false"),
    };

    private string? Raw(string name)
    {
        if (!declared.TryGetValue(name, out var option)) throw new InvalidOperationException($"the trainer reads '{name}' but does not declare it");
        return request.Options.TryGetValue(name, out var value) ? value : option.Default;
    }
}
