using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using NLog;
using SegBridge.Models;

namespace SegBridge.Engine.Journal;

/// <summary>
/// The propagation rounds of one volume with one model, as stored under <c>volumes/</c> of the state folder: every
/// slice the user segmented (COCO RLE) and the latest propagation (per-slice RLE and quality). Small: RLE of a few
/// hundred slices, never a dense volume. The file format is the engine's own, not the protocol's: names are
/// fixed here and absent values are left out, which is byte for byte what files written before looked like.
/// </summary>
public sealed class VolumeRoundsRecord
{
    /// <summary>What identifies the volume across restarts (see <c>VolumeService.VolumeKey</c>).</summary>
    [JsonPropertyName("volumeKey")] public required string VolumeKey { get; init; }
    [JsonPropertyName("modelId")] public required string ModelId { get; init; }
    [JsonPropertyName("width")] public required int Width { get; init; }
    [JsonPropertyName("height")] public required int Height { get; init; }
    [JsonPropertyName("depth")] public required int Depth { get; init; }
    /// <summary>Slice index → COCO RLE counts of the user's mask of that slice.</summary>
    [JsonPropertyName("interactive")] public required Dictionary<int, int[]> Interactive { get; init; }
    [JsonPropertyName("latest")] public VolumePropagationRecord? Latest { get; init; }
}

public sealed class VolumePropagationRecord
{
    [JsonPropertyName("sliceRle")] public required int[][] SliceRle { get; init; }
    [JsonPropertyName("quality")] public required float[] Quality { get; init; }
    [JsonPropertyName("foregroundPerSlice")] public required long[] ForegroundPerSlice { get; init; }
    [JsonPropertyName("interactiveSlices")] public required int[] InteractiveSlices { get; init; }
    [JsonPropertyName("seconds")] public double Seconds { get; init; }
    [JsonPropertyName("notes")] public string? Notes { get; init; }

    public static VolumePropagationRecord From(VolumePropagation p) => new()
    {
        SliceRle = p.SliceRle, Quality = p.Quality, ForegroundPerSlice = p.ForegroundPerSlice,
        InteractiveSlices = p.InteractiveSlices, Seconds = p.Seconds, Notes = p.Notes,
    };

    public VolumePropagation ToPropagation() => new(SliceRle, Quality, ForegroundPerSlice, InteractiveSlices, Seconds, Notes ?? "");
}

/// <summary>
/// Keeps <see cref="VolumeRoundsRecord"/>s in <c>volumes/HASH.json</c> (HASH of volume key and model id). Each save
/// writes a temporary file, flushes it to disk and renames it over the old one, so a crash leaves either the old
/// rounds or the new ones, never a torn file; a save that fails leaves the old ones and no temporary file.
/// </summary>
public sealed class VolumeRoundsStore(string directory)
{
    private static readonly Logger Log = LogManager.GetCurrentClassLogger();

    /// <summary>How rounds files are written and read: the names of the records' attributes, nulls left out.</summary>
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public string Directory { get; } = directory;

    public string PathOf(string volumeKey, string modelId)
        => System.IO.Path.Combine(Directory, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(volumeKey + "\n" + modelId))) + ".json");

    public void Save(VolumeRoundsRecord record)
    {
        var target = PathOf(record.VolumeKey, record.ModelId);
        try { DurableFile.Replace(target, file => JsonSerializer.Serialize(file, record, Json)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The old rounds stay as they were.
            Log.Warn("volume rounds {0} not saved: {1}", target, e.Message);
            throw JournalUnavailableException.Refused("this propagation round", e);
        }
    }

    /// <summary>
    /// The stored rounds of this volume and model, or null when there are none. A file that does not parse or does
    /// not fit the volume is moved aside (kept for a human) and treated as absent.
    /// </summary>
    public VolumeRoundsRecord? Load(string volumeKey, string modelId, int width, int height, int depth)
    {
        var path = PathOf(volumeKey, modelId);
        if (!File.Exists(path)) return null;
        try
        {
            var record = JsonSerializer.Deserialize<VolumeRoundsRecord>(File.ReadAllBytes(path), Json)
                         ?? throw new InvalidDataException("empty record");
            if (record.VolumeKey != volumeKey || record.ModelId != modelId)
                throw new InvalidDataException($"the file is for volume '{record.VolumeKey}' and model '{record.ModelId}'");
            if (record.Width != width || record.Height != height || record.Depth != depth)
                throw new InvalidDataException($"the file is for a {record.Width}×{record.Height}×{record.Depth} volume; this one is {width}×{height}×{depth}");
            if (record.Interactive.Keys.Any(z => z < 0 || z >= depth) || record.Latest is { } l && (l.SliceRle.Length != depth || l.Quality.Length != depth || l.ForegroundPerSlice.Length != depth))
                throw new InvalidDataException("slice indices or per-slice arrays do not match the volume's depth");
            return record;
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or IOException)
        {
            var aside = path + ".unreadable";
            File.Move(path, aside, overwrite: true);
            Log.Error("volume rounds {0} could not be read ({1}); kept as {2}, starting without them", path, e.Message, aside);
            return null;
        }
    }
}
