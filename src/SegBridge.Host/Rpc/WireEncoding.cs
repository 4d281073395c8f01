namespace SegBridge.Host.Rpc;

/// <summary>JSON with LSP Content-Length headers (default), or MessagePack with a 4-byte big-endian length prefix.</summary>
public enum WireEncoding { Json, MessagePack }
