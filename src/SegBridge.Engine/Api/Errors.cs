using SegBridge.Protocol;
using SegBridge.Protocol.Messages;

namespace SegBridge.Engine.Api;

/// <summary>Builds the protocol's errors so every message names the field and what is allowed.</summary>
internal static class Errors
{
    public static ProtocolException Make(int code, string message, string? field = null, string? allowed = null)
        => new(code, message, new ErrorData { Field = field, Allowed = allowed, CodeName = ErrorCodes.Names.GetValueOrDefault(code) });

    public static ProtocolException Argument(string field, string message, string? allowed = null)
        => Make(ErrorCodes.InvalidArgument, message, field, allowed);

    public static string Required(string? value, string field, string example)
        => string.IsNullOrWhiteSpace(value) ? throw Argument(field, $"{field} is required, e.g. \"{example}\"") : value;

    public static double Finite(double value, string field)
        => double.IsFinite(value) ? value : throw Make(ErrorCodes.InvalidInteraction, $"{field} must be a finite number, got {value}", field, "finite numbers");
}
