using System.Text.Json;

namespace SegBridge.Models;

/// <summary>
/// A family of models (e.g. <c>classical/random-walker</c>) that can build instances from a manifest's
/// <c>parameters</c> object. The engine's registry maps manifest families to these.
/// </summary>
public interface IModelFamily
{
    string Family { get; }
    /// <summary>Interactions this family understands: click, scribble, labels, box.</summary>
    IReadOnlyList<string> Interactions { get; }
    /// <summary>
    /// Builds a model; throws <see cref="ModelParameterException"/> naming the bad field, or
    /// <see cref="ModelUnavailableException"/> when it cannot run here (e.g. its weights do not load).
    /// </summary>
    /// <param name="weightsFiles">The manifest's weights files as absolute paths, already checked against their sha256.</param>
    ISegmentationModel Create(ModelParameters parameters, IReadOnlyList<string> weightsFiles);
}

/// <summary>Typed, range-checked access to a manifest's <c>parameters</c> object.</summary>
public sealed class ModelParameters
{
    private readonly Dictionary<string, JsonElement> _values;

    public ModelParameters(IReadOnlyDictionary<string, JsonElement>? values)
        => _values = values is null ? new() : new Dictionary<string, JsonElement>(values);

    public static ModelParameters Empty { get; } = new(null);

    public IEnumerable<string> Names => _values.Keys;

    public double GetDouble(string name, double defaultValue, double min, double max)
    {
        if (!_values.TryGetValue(name, out var v)) return defaultValue;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var d) || double.IsNaN(d))
            throw new ModelParameterException(name, $"must be a number in [{min}, {max}]");
        if (d < min || d > max) throw new ModelParameterException(name, $"is {d}; allowed range is [{min}, {max}]");
        return d;
    }

    public int GetInt(string name, int defaultValue, int min, int max)
    {
        if (!_values.TryGetValue(name, out var v)) return defaultValue;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var i))
            throw new ModelParameterException(name, $"must be an integer in [{min}, {max}]");
        if (i < min || i > max) throw new ModelParameterException(name, $"is {i}; allowed range is [{min}, {max}]");
        return i;
    }

    public string GetString(string name, string defaultValue, IReadOnlyCollection<string> allowed)
    {
        if (!_values.TryGetValue(name, out var v)) return defaultValue;
        var s = v.ValueKind == JsonValueKind.String ? v.GetString()! : null;
        if (s is null || !allowed.Contains(s))
            throw new ModelParameterException(name, $"must be one of {string.Join(", ", allowed)}");
        return s;
    }

    public bool GetBool(string name, bool defaultValue)
    {
        if (!_values.TryGetValue(name, out var v)) return defaultValue;
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new ModelParameterException(name, "must be true or false"),
        };
    }

    /// <summary>Reject parameters the family does not know, so typos do not pass silently.</summary>
    public void RejectUnknown(params string[] known)
    {
        foreach (var name in _values.Keys)
            if (!known.Contains(name))
                throw new ModelParameterException(name, $"is not a parameter of this family; known: {string.Join(", ", known)}");
    }
}

public sealed class ModelParameterException(string field, string problem)
    : Exception($"parameters.{field} {problem}")
{
    public string Field { get; } = field;
}

/// <summary>The model is well described but cannot run in this engine; the message is shown as its reason.</summary>
public sealed class ModelUnavailableException(string reason) : Exception(reason);

/// <summary>Implemented by models that run on a compute device, so the engine can report it ("cpu", "cuda").</summary>
public interface IDeviceBound
{
    string Device { get; }
}
