using SegBridge.Engine.Compute;
using SegBridge.Engine.Training;
using SegBridge.Imaging.Codecs;
using SegBridge.Imaging.Volumes;
using SegBridge.Models.Training;
using SegBridge.Protocol;

namespace SegBridge.Engine.Api;

/// <summary>
/// The one place where what the engine core (and the libraries under it) refuse becomes the protocol's error:
/// each kind of refusal gets its stable code, and the field and allowed values it named travel in the error's data.
/// Protocol methods run their core calls through <see cref="Guard{T}(Func{T})"/> / <see cref="GuardAsync{T}"/>.
/// </summary>
internal static class ErrorMapping
{
    /// <summary>train/run's own fields; any other option a trainer refuses is reported as <c>options.NAME</c>.</summary>
    private static readonly string[] TopLevelTrainingFields = ["family", "data", "classData", "out", "name"];

    public static ProtocolException ToProtocol(EngineException e) => e switch
    {
        RegionTooLargeException => Errors.Make(ErrorCodes.ImageTooLarge, e.Message, e.Field, e.Allowed),
        ComputeQueueFullException or ComputeTimeoutException => Errors.Make(ErrorCodes.LimitExceeded, e.Message, e.Field, e.Allowed),
        // Only sessions supersede their jobs: the key is the session's id.
        ComputeSupersededException => Errors.Make(ErrorCodes.Superseded, e.Message, "sessionId"),
        EngineArgumentException => Errors.Make(ErrorCodes.InvalidArgument, e.Message, e.Field, e.Allowed),
        Images.ImageLimitException => Errors.Make(ErrorCodes.LimitExceeded, e.Message, e.Field, e.Allowed),
        // A file that cannot be an image: not a regular file (folder, FIFO, device), or unreadable.
        Images.ImageFileException => Errors.Make(ErrorCodes.ImageUnreadable, e.Message, e.Field, e.Allowed),
        // The change was refused before anything was applied; the message names the cause, never the engine's paths.
        Journal.JournalUnavailableException => Errors.Make(ErrorCodes.JournalUnavailable, e.Message, e.Field, e.Allowed),
        _ => throw new InvalidOperationException($"{e.GetType().Name} has no protocol error; add it to {nameof(ErrorMapping)}", e),
    };

    /// <summary>Runs a core call, turning an engine refusal into the protocol's error.</summary>
    public static T Guard<T>(Func<T> call)
    {
        try { return call(); }
        catch (EngineException e) { throw ToProtocol(e); }
    }

    /// <summary>Awaits a core call, turning an engine refusal into the protocol's error.</summary>
    public static async Task<T> GuardAsync<T>(Func<Task<T>> call)
    {
        try { return await call(); }
        catch (EngineException e) { throw ToProtocol(e); }
    }

    /// <summary>
    /// An image that could not be read or decoded, as images/open reports it; null for an exception that is not a
    /// refusal of the image (a bug, which the host logs). <paramref name="source"/> is the request's field the image came from.
    /// </summary>
    public static ProtocolException? FromImageRead(Exception e, string? path, string source, EngineOptions options) => e switch
    {
        ImageTooLargeException => Errors.Make(ErrorCodes.ImageTooLarge, e.Message, "image", $"at most {options.MaxImagePixels} pixels per image or slice, {options.MaxVolumeVoxels} voxels per volume"),
        // The message names the header field; data.allowed carries that field's range.
        NiftiException n => Errors.Make(ErrorCodes.ImageUnreadable, path is not null ? $"{path}: {n.Message}" : n.Message, path is not null ? "path" : "encoded", n.Allowed ?? "single-file NIfTI-1 (.nii, .nii.gz)"),
        RawArrayException r => Errors.Make(ErrorCodes.InvalidArgument, r.Message, "raw." + r.Field),
        ImageDecodeException => Errors.Make(ErrorCodes.ImageUnreadable, e.Message, source, "PNG, JPEG, TIFF or NIfTI"),
        _ => null,
    };

    /// <summary>
    /// A path outside the engine's roots. A local client (stdio, pipe: the engine's own user) is told which folders are
    /// allowed; a WebSocket client only that there are some, since the engine's folder layout is not a page's business.
    /// </summary>
    public static ProtocolException PathNotAllowed(UnauthorizedAccessException e, string field, bool showRoots)
    {
        if (showRoots && e is Images.PathOutsideRootsException { Roots: var roots })
        {
            var list = string.Join(", ", roots);
            return Errors.Make(ErrorCodes.PathNotAllowed, $"{e.Message} (allowed: {list})", field, list);
        }
        return Errors.Make(ErrorCodes.PathNotAllowed, e.Message, field, RootsUnnamed);
    }

    private const string RootsUnnamed = "a path inside the folders the engine was started with (--allow-root)";

    /// <summary>What a trainer or the training service refused, by the protocol's field names; null for anything else.</summary>
    public static ProtocolException? FromTraining(Exception e) => e switch
    {
        TrainingOptionException o => Errors.Argument(TopLevelTrainingFields.Contains(o.Option) ? o.Option : "options." + o.Option, o.Message, o.Allowed),
        TrainingPathException p => Errors.Make(ErrorCodes.PathNotAllowed, p.Message, p.Field, RootsUnnamed),
        _ => null,
    };
}
