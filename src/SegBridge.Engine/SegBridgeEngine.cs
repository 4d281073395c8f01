using NLog;
using SegBridge.Engine.Compute;
using SegBridge.Engine.Images;
using SegBridge.Engine.Journal;
using SegBridge.Engine.Registry;
using SegBridge.Engine.Sessions;
using SegBridge.Imaging.Slides;
using SegBridge.Models;

namespace SegBridge.Engine;

/// <summary>
/// The state every connection shares: the model registry, opened images, sessions (journalled when a
/// state folder is given, and restored from it at start), the compute queue that keeps heavy work from
/// oversubscribing the CPU, and the sweeper that closes sessions whose client has been gone too long.
/// Connections talk to it through <see cref="Api.EngineApi"/>.
/// </summary>
public sealed class SegBridgeEngine : IDisposable
{
    private static readonly Logger Log = LogManager.GetCurrentClassLogger();
    private readonly Timer? _sweeper;
    private long _connections;

    public EngineOptions Options { get; }
    public ModelRegistry Registry { get; }
    public ImageStore Images { get; }
    public SessionStore Sessions { get; } = new();
    public JournalStore? Journals { get; }
    /// <summary>Decoded tiles of whole-slide images, shared by every session (repeated clicks in one area read nothing twice).</summary>
    public SlideTileCache TileCache { get; } = new();
    /// <summary>Volume propagation rounds per (volume, model): interactive slices and the latest result, as RLE.</summary>
    public Volumes.VolumeService Volumes { get; }
    public SessionPlanner Planner { get; }
    public ImageOpener Opener { get; }
    /// <summary>The one queue every model computation goes through (<see cref="ComputeQueue"/>).</summary>
    public ComputeQueue Compute { get; }
    public string ServerVersion { get; } = typeof(SegBridgeEngine).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>Devices the ready models run on: CPU always, plus CUDA when a learned model found a GPU.</summary>
    public IReadOnlyList<string> Devices => ["cpu", .. Registry.Entries.Select(e => e.Model).OfType<IDeviceBound>().Select(m => m.Device).Where(d => d != "cpu").Distinct()];

    /// <summary>The learned families' trainers behind train/run (none in an engine built without them).</summary>
    public Training.TrainingService Training { get; }

    public SegBridgeEngine(EngineOptions options, IEnumerable<IModelFamily> families, IEnumerable<Models.Training.IModelTrainer>? trainers = null)
    {
        Options = options;
        Images = new ImageStore(new ImageLimits(options.MaxOpenImages, options.MaxOpenImagesPerClient, options.MaxImageBytes, options.MaxImageBytesPerClient));
        Registry = new ModelRegistry(families, options.ManifestDirectories);
        Compute = new ComputeQueue(ComputeLimits.From(options));
        Training = new Training.TrainingService([.. trainers ?? []], options, Compute);
        Planner = new SessionPlanner(options, TileCache);
        Opener = new ImageOpener(options, Images);
        if (options.StateDirectory is { } state)
        {
            Journals = new JournalStore(state);
            Volumes = new Volumes.VolumeService(new VolumeRoundsStore(Journals.VolumesDirectory));
            var restored = SessionRestorer.RestoreAll(this, Journals);
            if (restored > 0) Log.Info("restored {0} sessions from {1}", restored, Journals.SessionsDirectory);
        }
        Volumes ??= new Volumes.VolumeService();
        if (options.OrphanedSessionTtl > TimeSpan.Zero)
        {
            var period = TimeSpan.FromTicks(Math.Clamp(options.OrphanedSessionTtl.Ticks / 4, TimeSpan.FromMilliseconds(200).Ticks, TimeSpan.FromSeconds(30).Ticks));
            _sweeper = new Timer(_ => CloseOrphanedSessions(), null, period, period);
        }
    }

    public long NewConnectionId() => Interlocked.Increment(ref _connections);

    /// <summary>Closes a session for good: its journal is removed, so it is not restored.</summary>
    public bool CloseSession(string id)
    {
        if (!Sessions.Remove(id, out var session)) return false;
        session.Journal?.Delete();
        // A computation still running keeps its state; the garbage collector frees it afterwards.
        if (session.Gate.Wait(0))
        {
            try { session.ReleaseModelState(); }
            finally { session.Gate.Release(); }
        }
        return true;
    }

    private void CloseOrphanedSessions()
    {
        var cutoff = DateTime.UtcNow - Options.OrphanedSessionTtl;
        foreach (var id in Images.CloseOrphaned(cutoff)) Log.Info("closed {0}: its client has been gone since before {1:O}", id, cutoff);
        foreach (var s in Sessions.All.Where(s => s.Owner is null && s.LastUsedUtc < cutoff))
        {
            if (!s.Gate.Wait(0)) continue; // in use right now
            try
            {
                if (s.Owner is null && CloseSession(s.Id))
                    Log.Info("closed {0}: its client has been gone since {1:O}", s.Id, s.LastUsedUtc);
            }
            finally { s.Gate.Release(); }
        }
    }

    /// <summary>Stops the sweeper and closes journal files (they stay on disk, so the sessions come back next start).</summary>
    public void Dispose()
    {
        _sweeper?.Dispose();
        foreach (var s in Sessions.All) s.Journal?.Dispose();
        Journals?.Dispose();
    }
}
