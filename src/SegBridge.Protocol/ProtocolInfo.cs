namespace SegBridge.Protocol;

/// <summary>Version of the wire protocol. Clients with a different major version are refused.</summary>
public static class ProtocolInfo
{
    public const string Version = "1.3";
    public const int Major = 1;

    /// <summary>Parses "MAJOR.MINOR"; returns null when the text is not a version.</summary>
    public static int? ParseMajor(string? version)
    {
        if (string.IsNullOrWhiteSpace(version)) return null;
        var head = version.Split('.')[0];
        return int.TryParse(head, out var major) && major >= 0 ? major : null;
    }
}
