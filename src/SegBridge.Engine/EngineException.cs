namespace SegBridge.Engine;

/// <summary>
/// A request the engine core refuses, in its own terms: <see cref="Field"/> is the part of the request at fault
/// and <see cref="Allowed"/> what it may be. The protocol face (Api/ErrorMapping) turns each kind into its
/// stable error code; the core never builds protocol errors itself.
/// </summary>
public abstract class EngineException(string message, string? field, string? allowed, Exception? inner = null) : Exception(message, inner)
{
    public string? Field { get; } = field;
    public string? Allowed { get; } = allowed;
}

/// <summary>A value of the request is out of range or inconsistent with the rest.</summary>
public class EngineArgumentException(string field, string message, string? allowed = null) : EngineException(message, field, allowed);

/// <summary>The pixels a request asks the engine to hold are more than its limit.</summary>
public sealed class RegionTooLargeException(string field, string message, string allowed) : EngineException(message, field, allowed);
