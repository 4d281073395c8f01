using System.Text.Json;
using SegBridge.Protocol;
using SegBridge.Protocol.Messages;

// Deliberate breaches of the Engine-core rule, for LayeringTests to catch. They live in the test assembly (which may
// use the protocol), so they break nothing; each copies a way the Engine core used to reach the protocol.
namespace SegBridge.Tests.Architecture.Planted;

internal static class JournalThatUsesProtocolJson
{
    public static byte[] Write(object record) => JsonSerializer.SerializeToUtf8Bytes(record, ProtocolJson.Options);
}

internal static class RestorerThatCatchesProtocolErrors
{
    public static bool TryRestore(Action restore)
    {
        try { restore(); return true; }
        catch (ProtocolException) { return false; }
    }
}

internal static class PlannerThatTakesProtocolParams
{
    public static long Area(CreateSessionParams p) => p.Region is { } r ? r.Width * r.Height : 0;

    public static Func<object, long> Widths() => o => o is RegionDto r ? r.Width : 0;
}

internal static class CleanCoreType
{
    public static int Twice(int x) => 2 * x;
}
