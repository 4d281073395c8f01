using System.Runtime.Serialization;

namespace SegBridge.Protocol.Messages;

[DataContract]
public sealed class InitializeParams
{
    /// <summary>Name of the client, e.g. "qupath-script" or "segbridge-python".</summary>
    [DataMember(Name = "clientName")] public string? ClientName { get; init; }
    [DataMember(Name = "clientVersion")] public string? ClientVersion { get; init; }
    /// <summary>Protocol version the client speaks, "MAJOR.MINOR". A different major version is refused.</summary>
    [DataMember(Name = "protocolVersion")] public string? ProtocolVersion { get; init; }
    /// <summary>The client's process id; in stdio mode the engine exits when that process dies.</summary>
    [DataMember(Name = "processId")] public int? ProcessId { get; init; }
}

[DataContract]
public sealed class InitializeResult
{
    [DataMember(Name = "serverName")] public required string ServerName { get; init; }
    [DataMember(Name = "serverVersion")] public required string ServerVersion { get; init; }
    [DataMember(Name = "protocolVersion")] public required string ProtocolVersion { get; init; }
    [DataMember(Name = "capabilities")] public required Capabilities Capabilities { get; init; }
    [DataMember(Name = "models")] public required ModelInfo[] Models { get; init; }
}

[DataContract]
public sealed class Capabilities
{
    /// <summary>Mask formats: rle, png, raw, polygons.</summary>
    [DataMember(Name = "maskFormats")] public required string[] MaskFormats { get; init; }
    /// <summary>Interaction kinds: click, scribble, labels, box.</summary>
    [DataMember(Name = "interactions")] public required string[] Interactions { get; init; }
    /// <summary>Image inputs: path, encoded (PNG/JPEG/TIFF bytes), raw arrays and their dtypes.</summary>
    [DataMember(Name = "imageInputs")] public required string[] ImageInputs { get; init; }
    [DataMember(Name = "rawDtypes")] public required string[] RawDtypes { get; init; }
    /// <summary>Transports this engine offers: stdio, pipe.</summary>
    [DataMember(Name = "transports")] public required string[] Transports { get; init; }
    /// <summary>Encodings: json (Content-Length framed), msgpack (4-byte big-endian length prefix).</summary>
    [DataMember(Name = "encodings")] public required string[] Encodings { get; init; }
    /// <summary>Compute devices the engine can use, e.g. ["cpu"] or ["cuda", "cpu"].</summary>
    [DataMember(Name = "devices")] public required string[] Devices { get; init; }
    [DataMember(Name = "maxImagePixels")] public required long MaxImagePixels { get; init; }
}

[DataContract]
public sealed class PingResult
{
    [DataMember(Name = "serverTimeUtc")] public required string ServerTimeUtc { get; init; }
}

[DataContract]
public sealed class EmptyParams { }

[DataContract]
public sealed class Ack
{
    [DataMember(Name = "ok")] public bool Ok { get; init; } = true;
}

/// <summary>The <c>data</c> member of a SegBridge error: which field was wrong and what is allowed.</summary>
[DataContract]
public sealed class ErrorData
{
    [DataMember(Name = "field")] public string? Field { get; init; }
    [DataMember(Name = "allowed")] public string? Allowed { get; init; }
    [DataMember(Name = "codeName")] public string? CodeName { get; init; }
}
