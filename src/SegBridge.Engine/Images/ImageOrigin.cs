namespace SegBridge.Engine.Images;

/// <summary>Where an opened image came from, so a journal can find it again after a restart.</summary>
public abstract record ImageOrigin
{
    /// <summary>A file on the engine's machine (absolute path).</summary>
    public sealed record File(string Path) : ImageOrigin;
    /// <summary>Bytes the client sent: an encoded file, or a raw array already converted to the raster.</summary>
    public sealed record Bytes : ImageOrigin;
    /// <summary>A NIfTI file the client sent as bytes, kept as sent so a journal can store it as it came (a volume has no PNG form).</summary>
    public sealed record VolumeBytes(byte[] Encoded) : ImageOrigin;
}
