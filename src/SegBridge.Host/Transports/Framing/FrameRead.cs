namespace SegBridge.Host.Transports.Framing;

/// <summary>What a frame reader found next: a frame's body, a problem to answer with a parse error, or the end of the stream.</summary>
internal readonly record struct FrameRead(byte[]? Body, string? Problem)
{
    public static FrameRead End => default;
    public static FrameRead Frame(byte[] body) => new(body, null);
    public static FrameRead Refused(string problem) => new(null, problem);

    public bool IsEnd => Body is null && Problem is null;
}
