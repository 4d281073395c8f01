using SegBridge.Protocol.Messages;

namespace SegBridge.Protocol;

/// <summary>
/// The SegBridge protocol. Every method takes one params object (JSON-RPC "by-name" params) and
/// returns one result object. Existing methods never change meaning; new behaviour gets a new method.
/// Params are optional on the wire (a missing params object reads as an empty one), so the
/// implementation must check every field it needs.
/// </summary>
public interface ISegBridgeApi
{
    [ProtocolMethod("initialize", "Handshake: protocol version check, capabilities and models. Must come first.")]
    Task<InitializeResult> InitializeAsync(InitializeParams? p = null, CancellationToken ct = default);

    [ProtocolMethod("shutdown", "Ask the engine to finish in-flight work and exit (stdio) or close this connection (pipe).")]
    Task<Ack> ShutdownAsync(EmptyParams? p = null, CancellationToken ct = default);

    [ProtocolMethod("ping", "Round-trip check; allowed before initialize.")]
    Task<PingResult> PingAsync(EmptyParams? p = null, CancellationToken ct = default);

    [ProtocolMethod("models/list", "Every model in the registry with status, plus manifests that failed validation.")]
    Task<ModelListResult> ListModelsAsync(EmptyParams? p = null, CancellationToken ct = default);

    [ProtocolMethod("models/describe", "One model with its manifest parameters.")]
    Task<ModelDescription> DescribeModelAsync(ModelIdParams? p = null, CancellationToken ct = default);

    [ProtocolMethod("images/open", "Open an image from a path, encoded bytes or a raw array.")]
    Task<ImageInfo> OpenImageAsync(OpenImageParams? p = null, CancellationToken ct = default);

    [ProtocolMethod("images/close", "Forget an image; sessions on it stay usable until closed.")]
    Task<Ack> CloseImageAsync(ImageIdParams? p = null, CancellationToken ct = default);

    [ProtocolMethod("images/png", "An opened image as PNG bytes (RGB or grey, 8-bit), for viewers that did not load the file themselves.")]
    Task<ImagePngResult> GetImagePngAsync(ImageIdParams? p = null, CancellationToken ct = default);

    [ProtocolMethod("sessions/create", "Start an interactive session on an image with a model.")]
    Task<SessionInfo> CreateSessionAsync(CreateSessionParams? p = null, CancellationToken ct = default);

    [ProtocolMethod("sessions/interact", "Add one interaction (click, scribble, labels, box or extremePoints; the model must list it) and return the new mask.")]
    Task<MaskResult> InteractAsync(InteractParams? p = null, CancellationToken ct = default);

    [ProtocolMethod("sessions/undo", "Remove the last interaction and return the recomputed mask.")]
    Task<MaskResult> UndoAsync(SessionParams? p = null, CancellationToken ct = default);

    [ProtocolMethod("sessions/redo", "Re-apply the last undone interaction and return the mask.")]
    Task<MaskResult> RedoAsync(SessionParams? p = null, CancellationToken ct = default);

    [ProtocolMethod("sessions/reset", "Drop every interaction and return the starting mask (empty, or the initial mask). Undoable: sessions/undo right after it brings the interactions back.")]
    Task<MaskResult> ResetAsync(SessionParams? p = null, CancellationToken ct = default);

    [ProtocolMethod("sessions/mask", "The current mask in the requested format.")]
    Task<MaskResult> GetMaskAsync(SessionParams? p = null, CancellationToken ct = default);

    [ProtocolMethod("sessions/history", "The applied and redoable interactions of a session.")]
    Task<HistoryResult> GetHistoryAsync(SessionParams? p = null, CancellationToken ct = default);

    [ProtocolMethod("sessions/list", "Open sessions.")]
    Task<SessionListResult> ListSessionsAsync(EmptyParams? p = null, CancellationToken ct = default);

    [ProtocolMethod("sessions/close", "Close a session and free its memory.")]
    Task<Ack> CloseSessionAsync(SessionParams? p = null, CancellationToken ct = default);

    [ProtocolMethod("slides/infer", "Run a guide model (e.g. tissue) without interactions over a whole-slide region or the whole slide, in overlapping tiles; returns polygons in level-0 coordinates.")]
    Task<InferSlideResult> InferSlideAsync(InferSlideParams? p = null, CancellationToken ct = default);

    [ProtocolMethod("volumes/propagate", "Propagate the mask of a session on a volume slice through the whole volume with a volumetric model (Mem3D): per-slice masks (COCO RLE per slice, or NIfTI bytes) and per-slice quality scores; a new round on any slice re-propagates, with every segmented slice in memory, the slices nearer to it than to any other segmented slice (the others keep the previous round's masks). Cancel with $/cancelRequest.")]
    Task<PropagateVolumeResult> PropagateVolumeAsync(PropagateVolumeParams? p = null, CancellationToken ct = default);

    [ProtocolMethod("volumes/suggest", "The slice to segment next from the latest volumes/propagate for the session's image and model, among slices whose mask is not empty (slices already segmented are skipped): the lowest quality score, or with rank mostExpectedErrors the most pixels the score expects to be wrong.")]
    Task<SuggestSliceResult> SuggestSliceAsync(SuggestSliceParams? p = null, CancellationToken ct = default);

    [ProtocolMethod("eval/run", "Run the NoC/NoI evaluation protocol (robot clicks, robot scribbles or human scribbles) on a dataset folder for one or more models, returning per-model summaries and per-sample curves; or with mode volume, Mem3D rounds over a folder of volume case folders, returning the whole-volume Dice after each round. eval/progress notifications with a progressToken.")]
    Task<EvalRunResult> RunEvalAsync(EvalRunParams? p = null, CancellationToken ct = default);

    [ProtocolMethod("train/run", "Train a learned model family's weights on folders of the engine's machine and write its weights, training record and manifests (as `segbridge train`); train/progress notifications with a progressToken; $/cancelRequest stops it and writes nothing.")]
    Task<TrainRunResult> RunTrainingAsync(TrainRunParams? p = null, CancellationToken ct = default);
}
