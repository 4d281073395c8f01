using System.Text;

namespace SegBridge.Host.Transports.Framing;

/// <summary>Peer bytes quoted in an error message: printable ASCII as it is, anything else as \xNN, cut at 40 characters.</summary>
internal static class Printable
{
    private const int MaxShown = 40;

    public static string Show(string text) => Show(Encoding.Latin1.GetBytes(text));

    public static string Show(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder();
        foreach (var b in bytes)
        {
            if (sb.Length >= MaxShown) return sb.Append('…').ToString();
            if (b is >= 0x20 and < 0x7F and not (byte)'\\') sb.Append((char)b);
            else sb.Append($"\\x{b:X2}");
        }
        return sb.ToString();
    }
}
