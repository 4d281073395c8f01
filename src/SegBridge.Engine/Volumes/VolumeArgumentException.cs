namespace SegBridge.Engine.Volumes;

/// <summary>
/// A volume request the core refuses: <see cref="EngineException.Field"/> is the request's field at fault and
/// <see cref="EngineException.Allowed"/> what it may be; the protocol face turns it into its argument error.
/// </summary>
public sealed class VolumeArgumentException(string field, string message, string? allowed = null) : EngineArgumentException(field, message, allowed);
