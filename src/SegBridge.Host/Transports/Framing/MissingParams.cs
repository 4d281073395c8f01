using System.Buffers;
using MessagePack;

namespace SegBridge.Host.Transports.Framing;

/// <summary>
/// JSON-RPC lets a request omit params, but StreamJsonRpc's MessagePack formatter then fails an internal
/// assertion when binding arguments. A top-level map with "method" and no "params" gets an empty params map.
/// </summary>
internal static class MissingParams
{
    public static byte[] Add(byte[] body)
    {
        // A frame too broken to scan is left as it is: the formatter then reports it as a bad frame.
        try { return AddIfMissing(body); }
        catch (Exception e) when (e is EndOfStreamException or MessagePackSerializationException or InvalidOperationException or OverflowException) { return body; }
    }

    private static byte[] AddIfMissing(byte[] body)
    {
        var reader = new MessagePackReader(body);
        if (reader.NextMessagePackType != MessagePackType.Map) return body;
        int count = reader.ReadMapHeader();
        bool hasMethod = false;
        for (int i = 0; i < count; i++)
        {
            if (reader.NextMessagePackType != MessagePackType.String) return body;
            var key = reader.ReadString();
            if (key == "params") return body;
            hasMethod |= key == "method";
            reader.Skip();
        }
        if (!hasMethod) return body;

        var output = new ArrayBufferWriter<byte>(body.Length + 16);
        var writer = new MessagePackWriter(output);
        var copy = new MessagePackReader(body);
        copy.ReadMapHeader();
        writer.WriteMapHeader(count + 1);
        for (int i = 0; i < 2 * count; i++) writer.WriteRaw(copy.ReadRaw());
        writer.Write("params");
        writer.WriteMapHeader(0);
        writer.Flush();
        return output.WrittenSpan.ToArray();
    }
}
