using System.Text.Json;
using System.Text.Json.Serialization;

namespace SegBridge.Engine.Journal;

/// <summary>
/// How journal lines are written and read. The journal is the engine's own file format, not the protocol's, so its
/// records name their fields themselves ([JsonPropertyName]) and these settings are its own: nulls left out,
/// numbers strict. They give the lines journals have always had, so journals written before still restore.
/// </summary>
public static class JournalJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            NumberHandling = JsonNumberHandling.Strict,
            MaxDepth = 64,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
