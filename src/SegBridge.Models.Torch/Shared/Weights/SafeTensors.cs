using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace SegBridge.Models.Torch.Weights;

/// <summary>
/// The safetensors format (8-byte little-endian header length, a JSON header naming each tensor's dtype, shape
/// and byte range, then the raw little-endian data), read and written here because no safetensors package is
/// served for .NET. Python reads and writes the same files with tests/torch/safetensors_io.py.
/// Supported dtypes: F32, F16 (widened to F32 on load) and I64.
/// </summary>
public static class SafeTensors
{
    private const long MaxHeaderBytes = 16 << 20;

    public sealed record Contents(IReadOnlyDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata);

    public static Contents Read(string path)
    {
        try { return ReadUnchecked(path); }
        catch (Exception e) when (e is InvalidOperationException or FormatException or NullReferenceException or OverflowException or KeyNotFoundException or ArgumentException)
        {
            throw new InvalidDataException($"{Path.GetFileName(path)}: malformed safetensors header ({e.Message})");
        }
    }

    private static Contents ReadUnchecked(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8) throw new InvalidDataException($"{Path.GetFileName(path)}: {bytes.Length} bytes is too short for a safetensors file");
        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        if (headerLength <= 0 || headerLength > MaxHeaderBytes || 8 + headerLength > bytes.Length)
            throw new InvalidDataException($"{Path.GetFileName(path)}: header length {headerLength} is outside [1, {Math.Min(MaxHeaderBytes, bytes.Length - 8)}]");
        JsonObject header;
        try { header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, (int)headerLength))?.AsObject() ?? throw new InvalidDataException("header is null"); }
        catch (JsonException e) { throw new InvalidDataException($"{Path.GetFileName(path)}: header is not JSON: {e.Message}"); }

        long dataStart = 8 + headerLength;
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                foreach (var (k, v) in node!.AsObject()) metadata[k] = v!.GetValue<string>();
                continue;
            }
            var entry = node!.AsObject();
            var dtype = entry["dtype"]!.GetValue<string>();
            var shape = entry["shape"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
            var offsets = entry["data_offsets"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
            long count = shape.Aggregate(1L, (a, b) => a * b);
            int itemSize = dtype switch { "F32" => 4, "F16" => 2, "I64" => 8, _ => throw new InvalidDataException($"{name}: dtype {dtype} is not supported (F32, F16, I64)") };
            if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] - offsets[0] != count * itemSize || dataStart + offsets[1] > bytes.Length)
                throw new InvalidDataException($"{name}: data_offsets [{string.Join(", ", offsets)}] do not hold {count} {dtype} values inside the file");
            var span = bytes.AsSpan((int)(dataStart + offsets[0]), (int)(count * itemSize));
            tensors[name] = dtype switch
            {
                "F32" => tensor(BytesTo<float>(span), shape),
                "F16" => tensor(BytesTo<Half>(span).Select(h => (float)h).ToArray(), shape),
                _ => tensor(BytesTo<long>(span), shape),
            };
        }
        return new Contents(tensors, metadata);
    }

    /// <param name="halfPrecision">
    /// Store floating tensors as F16 (half the size; loading widens them back to F32), except a tensor holding a
    /// value beyond F16's range (±65504), kept F32: the ImageNet stem's batch-norm variances on 0–255 input reach
    /// 10⁵, and as F16 they would become infinity and silence those channels.
    /// </param>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata, bool halfPrecision)
    {
        var header = new JsonObject { ["__metadata__"] = new JsonObject(metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value)))) };
        var blobs = new List<byte[]>();
        long offset = 0;
        foreach (var (name, t) in tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var cpu = t.detach().cpu().contiguous();
            byte[] blob; string dtype;
            if (cpu.dtype == ScalarType.Int64) { blob = ToBytes(cpu.data<long>().ToArray()); dtype = "I64"; }
            else if (halfPrecision && FitsHalf(cpu)) { blob = ToBytes(cpu.to_type(ScalarType.Float32).data<float>().ToArray().Select(f => (Half)f).ToArray()); dtype = "F16"; }
            else { blob = ToBytes(cpu.to_type(ScalarType.Float32).data<float>().ToArray()); dtype = "F32"; }
            header[name] = new JsonObject
            {
                ["dtype"] = dtype,
                ["shape"] = new JsonArray(cpu.shape.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + blob.Length),
            };
            blobs.Add(blob);
            offset += blob.Length;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) / 8 * 8;
        using var stream = File.Create(path);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(length, padded);
        stream.Write(length);
        stream.Write(json);
        for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
        foreach (var blob in blobs) stream.Write(blob);
    }

    private static bool FitsHalf(Tensor t)
    {
        using var scope = NewDisposeScope();
        return t.numel() == 0 || t.to_type(ScalarType.Float32).abs().max().item<float>() <= (float)Half.MaxValue;
    }

    private static T[] BytesTo<T>(ReadOnlySpan<byte> bytes) where T : unmanaged
        => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(bytes).ToArray();

    private static byte[] ToBytes<T>(T[] values) where T : unmanaged
        => System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
}
