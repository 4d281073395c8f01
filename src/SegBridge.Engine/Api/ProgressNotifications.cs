using NLog;
using SegBridge.Engine.Inference;
using SegBridge.Eval.Volumes;
using SegBridge.Models.Training;
using SegBridge.Models;
using SegBridge.Protocol;
using SegBridge.Protocol.Messages;

namespace SegBridge.Engine.Api;

/// <summary>
/// The progress of long requests: always to the log (one line per 10 %), and to the client as notifications when
/// its request carried a progressToken.
/// </summary>
internal static class ProgressNotifications
{
    private static readonly Logger Log = LogManager.GetCurrentClassLogger();

    /// <summary>A progressToken, when given, must be a non-empty string of at most 200 characters.</summary>
    public static string? CheckToken(string? token)
    {
        if (token is null) return null;
        if (token.Length is 0 or > 200)
            throw Errors.Argument("progressToken", $"progressToken must be 1 to 200 characters; it has {token.Length}", "1..200 characters");
        return token;
    }

    public static IProgress<VolumeProgress> Volume(string sessionId, int width, int height, string? token, IClientNotifier? notifier)
    {
        var log = new TenthLog($"{sessionId}: volume propagation", "slices");
        return new Relay<VolumeProgress>(p =>
        {
            log.Report(p.Done, p.Total);
            if (token is null || notifier is null) return;
            notifier.Notify(ProtocolNotifications.VolumeProgress, new VolumeProgressParams
            {
                ProgressToken = token, SessionId = sessionId, Done = p.Done, Total = p.Total, Slice = p.Slice,
                Rle = new RleDto { Size = [height, width], Counts = p.SliceRle }, ForegroundPixels = p.ForegroundPixels,
                Quality = Math.Round((double)p.Quality, 4),
            });
        });
    }

    public static IProgress<TileProgress> Slide(string imageId, string? token, IClientNotifier? notifier)
    {
        var log = new TenthLog($"{imageId}: slide inference", "tiles");
        return new Relay<TileProgress>(p =>
        {
            log.Report(p.Done, p.Total);
            if (token is null || notifier is null) return;
            notifier.Notify(ProtocolNotifications.SlideProgress, new SlideProgressParams { ProgressToken = token, ImageId = imageId, Done = p.Done, Total = p.Total });
        });
    }

    /// <summary>eval/run in volume mode: one eval/progress per finished round, counted over every case and slice choice.</summary>
    public static IProgress<VolumeEval.Progress> Rounds(string? token, IClientNotifier? notifier, int total)
    {
        var log = new TenthLog("volume evaluation", "rounds");
        int done = 0;
        return new Relay<VolumeEval.Progress>(p =>
        {
            log.Report(++done, total);
            if (token is null || notifier is null) return;
            notifier.Notify(ProtocolNotifications.EvalProgress, new EvalProgressParams { ProgressToken = token, Name = p.Case, Run = p.Choice, Done = done, Total = total });
        });
    }

    /// <summary>train/run: iterations as the trainer reports them (trainers report every few iterations, not each one).</summary>
    public static IProgress<TrainingProgress> Training(string family, string? token, IClientNotifier? notifier)
    {
        var log = new TenthLog($"training {family}", "iterations");
        return new Relay<TrainingProgress>(p =>
        {
            if (p.Note is { } note)
            {
                Log.Info("training {0}: {1}", family, note);
                return;
            }
            log.Report(p.Iteration, p.Iterations);
            if (token is null || notifier is null) return;
            notifier.Notify(ProtocolNotifications.TrainProgress, new TrainProgressParams
            {
                ProgressToken = token, Stage = p.Stage, Iteration = p.Iteration, Iterations = p.Iterations, Loss = p.Loss is { } l ? Math.Round(l, 6) : null,
            });
        });
    }

    /// <summary>Reports synchronously on the caller's thread (Progress&lt;T&gt; would post to the thread pool and reorder).</summary>
    private sealed class Relay<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    private sealed class TenthLog(string what, string unit)
    {
        private int _lastTenth = -1;
        public void Report(int done, int total)
        {
            int tenth = done * 10 / Math.Max(1, total);
            if (tenth == _lastTenth) return;
            _lastTenth = tenth;
            Log.Debug("{0} {1}/{2} {3}", what, done, total, unit);
        }
    }
}
