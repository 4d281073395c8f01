namespace SegBridge.Host.Transports;

/// <summary>A reply could not be queued because its connection is closed (the client left, or was cut off for not reading).</summary>
internal sealed class ConnectionClosedException(string message) : IOException(message);
