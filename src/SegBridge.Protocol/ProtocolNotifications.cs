using SegBridge.Protocol.Messages;

namespace SegBridge.Protocol;

/// <summary>
/// Notifications the engine sends to a client (JSON-RPC requests without an id). A long request opts in by
/// carrying a <c>progressToken</c>; each notification repeats that token so a client can route it to the call
/// that asked. All of them are sent before the request's response, on the same connection.
/// </summary>
public static class ProtocolNotifications
{
    public const string VolumeProgress = "volumes/progress";
    public const string SlideProgress = "slides/progress";

    public sealed record Notification(string Name, string Summary, Type Params);

    public static IReadOnlyList<Notification> All { get; } =
    [
        new(VolumeProgress, "One slice of a volumes/propagate that carried a progressToken is final: its index, COCO RLE mask, foreground pixels and quality score, with done/total.", typeof(VolumeProgressParams)),
        new(SlideProgress, "Tiles of a slides/infer that carried a progressToken finished so far (done/total).", typeof(SlideProgressParams)),
    ];
}
