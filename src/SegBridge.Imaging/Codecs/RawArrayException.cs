namespace SegBridge.Imaging.Codecs;

/// <summary>A raw pixel array request is inconsistent; Field names the offending request field.</summary>
public sealed class RawArrayException : ImageDecodeException
{
    /// <summary>One of width, height, channels, dtype, data.</summary>
    public string Field { get; }

    public RawArrayException(string field, string message) : base(message) => Field = field;
}
