using System.CommandLine;
using SegBridge.Engine;

namespace SegBridge.Host.Commands;

/// <summary>The options of a long-running server: which files clients may open, crash recovery, limits.</summary>
internal sealed class ServerLimits
{
    public Option<string[]> AllowRoot { get; } = new("--allow-root") { Description = "Folder images/open may read from (repeatable). Default: your home, the working folder and the temp folder" };
    public Option<bool> AllowAnyPath { get; } = new("--allow-any-path") { Description = "Let clients open any file this user can read" };
    public Option<string?> StateDir { get; } = new("--state-dir") { Description = "Folder for session journals (crash recovery). Default for --pipe: $XDG_STATE_HOME/segbridge/pipe-NAME; --stdio journals only when given" };
    public Option<bool> NoJournal { get; } = new("--no-journal") { Description = "Keep sessions in memory only" };
    public Option<double> SessionTtl { get; } = new("--session-ttl") { Description = "Seconds a session stays open after its client disconnects", DefaultValueFactory = _ => 3600 };
    public Option<double> RequestTimeout { get; } = new("--request-timeout") { Description = "Seconds a model computation may take before it is cancelled", DefaultValueFactory = _ => 300 };
    public Option<int> MaxFrameMb { get; } = new("--max-frame-mb") { Description = "Largest request frame in MiB", DefaultValueFactory = _ => 512 };
    public Option<int> MaxSessions { get; } = new("--max-sessions") { Description = "Most open sessions in the engine", DefaultValueFactory = _ => 256 };
    public Option<int> MaxSessionsPerClient { get; } = new("--max-sessions-per-client") { Description = "Most open sessions one connection may own", DefaultValueFactory = _ => 64 };
    public Option<int> MaxImages { get; } = new("--max-images") { Description = "Most open images in the engine", DefaultValueFactory = _ => Defaults.MaxOpenImages };
    public Option<int> MaxImagesPerClient { get; } = new("--max-images-per-client") { Description = "Most open images one connection may have", DefaultValueFactory = _ => Defaults.MaxOpenImagesPerClient };
    public Option<long> MaxImageMb { get; } = new("--max-image-mb") { Description = "Most MiB of pixels the engine's open images may hold", DefaultValueFactory = _ => Defaults.MaxImageBytes >> 20 };
    public Option<long> MaxImageMbPerClient { get; } = new("--max-image-mb-per-client") { Description = "Most MiB of pixels one connection's open images may hold", DefaultValueFactory = _ => Defaults.MaxImageBytesPerClient >> 20 };

    private static readonly EngineOptions Defaults = new();

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { AllowRoot, AllowAnyPath, StateDir, NoJournal, SessionTtl, RequestTimeout, MaxFrameMb, MaxSessions, MaxSessionsPerClient, MaxImages, MaxImagesPerClient, MaxImageMb, MaxImageMbPerClient })
            command.Options.Add(o);
    }

    public long MaxFrameBytes(ParseResult parse)
    {
        var mb = parse.GetValue(MaxFrameMb);
        return mb is >= 1 and <= 4096 ? mb * 1024L * 1024 : throw new CommandException($"--max-frame-mb must be 1..4096, got {mb}");
    }

    public EngineOptions Apply(ParseResult parse, EngineOptions options, string? pipeName)
    {
        var ttl = parse.GetValue(SessionTtl);
        var timeout = parse.GetValue(RequestTimeout);
        if (!(ttl >= 0)) throw new CommandException($"--session-ttl must be >= 0 seconds, got {ttl}");
        if (!(timeout > 0)) throw new CommandException($"--request-timeout must be > 0 seconds, got {timeout}");
        var maxSessions = parse.GetValue(MaxSessions);
        var perClient = parse.GetValue(MaxSessionsPerClient);
        if (maxSessions < 1 || perClient < 1) throw new CommandException("--max-sessions and --max-sessions-per-client must be at least 1");
        var (images, imagesPerClient) = (parse.GetValue(MaxImages), parse.GetValue(MaxImagesPerClient));
        if (images < 1 || imagesPerClient < 1) throw new CommandException($"--max-images and --max-images-per-client must be at least 1, got {images} and {imagesPerClient}");
        var (imageMb, imageMbPerClient) = (parse.GetValue(MaxImageMb), parse.GetValue(MaxImageMbPerClient));
        if (imageMb is < 1 or > 1L << 30 || imageMbPerClient is < 1 or > 1L << 30)
            throw new CommandException($"--max-image-mb and --max-image-mb-per-client must be 1..{1L << 30} MiB, got {imageMb} and {imageMbPerClient}");

        IReadOnlyList<string>? roots = null;
        if (!parse.GetValue(AllowAnyPath))
        {
            var given = parse.GetValue(AllowRoot) ?? [];
            roots = given.Length > 0
                ? given.Select(Path.GetFullPath).ToList()
                : [Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), Environment.CurrentDirectory, Path.GetTempPath()];
            foreach (var r in roots) if (!Directory.Exists(r)) throw new CommandException($"--allow-root {r}: no such folder");
        }

        string? state = parse.GetValue(StateDir);
        if (parse.GetValue(NoJournal)) state = null;
        else if (state is null && pipeName is not null)
            state = Path.Combine(Path.GetDirectoryName(Logging.DefaultLogFile())!, "pipe-" + string.Concat(pipeName.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '_')));

        return options with
        {
            AllowedRoots = roots,
            StateDirectory = state,
            OrphanedSessionTtl = TimeSpan.FromSeconds(ttl),
            RequestTimeout = TimeSpan.FromSeconds(timeout),
            MaxSessions = maxSessions,
            MaxSessionsPerClient = perClient,
            MaxOpenImages = images,
            MaxOpenImagesPerClient = imagesPerClient,
            MaxImageBytes = imageMb << 20,
            MaxImageBytesPerClient = imageMbPerClient << 20,
        };
    }
}
