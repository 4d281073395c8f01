namespace SegBridge.Host;

/// <summary>A user-facing failure of a CLI verb: printed to stderr as one line, exit code 2.</summary>
internal sealed class CommandException(string message) : Exception(message);
