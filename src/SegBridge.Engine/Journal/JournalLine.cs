using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace SegBridge.Engine.Journal;

/// <summary>
/// How one <see cref="JournalRecord"/> is framed on disk: a JSON object on one line, its last member
/// <c>"sum"</c> the first 8 hex digits of the SHA-256 of the line as it would be without that member, so a record
/// whose bytes changed (a flipped bit, a block of another file) is told from a good one. Lines without a sum
/// (journals written before it existed) are still read; plain JSON Lines readers see one more string member.
/// </summary>
public static class JournalLine
{
    /// <summary>Every record starts with these bytes (op is its first member, and JSON escapes quotes inside
    /// strings), so after damage the next record can be found again.</summary>
    public static ReadOnlySpan<byte> RecordStart => "{\"op\":\""u8;

    private static ReadOnlySpan<byte> SumPrefix => ",\"sum\":\""u8;
    private const int SumDigits = 8;
    /// <summary>Length of <c>,"sum":"XXXXXXXX"}</c>.</summary>
    private static int SumSuffixLength => SumPrefix.Length + SumDigits + 2;

    /// <summary>The record's line, newline included, ready to be written in one piece.</summary>
    public static byte[] Encode(JournalRecord record)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(record, JournalJson.Options);
        var sum = Sum(json);
        var line = new byte[json.Length - 1 + SumSuffixLength + 1];
        json.AsSpan(0, json.Length - 1).CopyTo(line);
        int at = json.Length - 1;
        SumPrefix.CopyTo(line.AsSpan(at)); at += SumPrefix.Length;
        Encoding.ASCII.GetBytes(sum, line.AsSpan(at)); at += SumDigits;
        line[at++] = (byte)'"';
        line[at++] = (byte)'}';
        line[at] = (byte)'\n';
        return line;
    }

    /// <summary>Decodes one line (without its newline); null and a reason when it is not a whole, intact record.</summary>
    public static JournalRecord? TryDecode(ReadOnlySpan<byte> line, out string? damage)
    {
        damage = null;
        if (HasSum(line) && !SumMatches(line))
        {
            damage = "its checksum does not match its bytes";
            return null;
        }
        try
        {
            var record = JsonSerializer.Deserialize<JournalRecord>(line, JournalJson.Options);
            if (record is { Op.Length: > 0 }) return record;
            damage = "it is not a journal record (no op)";
        }
        catch (JsonException e) { damage = $"it is not whole JSON ({e.Message.Split(" Path:")[0]})"; }
        catch (Exception e) when (e is FormatException or InvalidOperationException or NotSupportedException or ArgumentException)
        {
            damage = $"it is not a journal record ({e.Message})";
        }
        return null;
    }

    private static bool HasSum(ReadOnlySpan<byte> line)
        => line.Length > SumSuffixLength && line[^1] == '}' && line[^2] == '"' && line[^SumSuffixLength..].StartsWith(SumPrefix);

    private static bool SumMatches(ReadOnlySpan<byte> line)
    {
        var withoutSum = new byte[line.Length - SumSuffixLength + 1];
        line[..^SumSuffixLength].CopyTo(withoutSum);
        withoutSum[^1] = (byte)'}';
        var stored = Encoding.ASCII.GetString(line.Slice(line.Length - 2 - SumDigits, SumDigits));
        return stored == Sum(withoutSum);
    }

    private static string Sum(ReadOnlySpan<byte> json) => Convert.ToHexStringLower(SHA256.HashData(json).AsSpan(0, SumDigits / 2));
}
