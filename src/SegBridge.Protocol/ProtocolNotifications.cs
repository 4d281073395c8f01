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
    public const string TrainProgress = "train/progress";
    public const string EvalProgress = "eval/progress";

    public sealed record Notification(string Name, string Summary, Type Params);

    public static IReadOnlyList<Notification> All { get; } =
    [
        new(VolumeProgress, "One slice of a volumes/propagate that carried a progressToken is final: its index, COCO RLE mask, foreground pixels and quality score, with done/total.", typeof(VolumeProgressParams)),
        new(SlideProgress, "Tiles of a slides/infer that carried a progressToken finished so far (done/total).", typeof(SlideProgressParams)),
        new(TrainProgress, "Iterations of a train/run that carried a progressToken done so far in its stage, with the running loss.", typeof(TrainProgressParams)),
        new(EvalProgress, "Rounds (volume mode) or samples of an eval/run that carried a progressToken finished so far (done/total).", typeof(EvalProgressParams)),
    ];
}
