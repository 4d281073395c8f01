using System.CommandLine;
using SegBridge.Engine;
using SegBridge.Models;
using SegBridge.Models.Torch;

namespace SegBridge.Host.Commands;

/// <summary>Options every verb that builds an engine shares, and the one place that builds it.</summary>
internal sealed class EngineSettings
{
    private static readonly EngineOptions Defaults = new();

    public Option<string[]> Models { get; } = new("--models") { Description = "Extra folder of model manifests (repeatable); searched after the built-in plugin-manifests" };
    public Option<long> MaxPixels { get; } = new("--max-pixels") { Description = "Largest image (width*height) the engine accepts", DefaultValueFactory = _ => Defaults.MaxImagePixels };
    public Option<long> MaxVoxels { get; } = new("--max-voxels") { Description = "Largest volume (width*height*depth) the engine accepts", DefaultValueFactory = _ => Defaults.MaxVolumeVoxels };
    public Option<string?> LogFile { get; } = new("--log-file") { Description = $"Log file (default {Logging.DefaultLogFile()})" };
    public Option<int> Threads { get; } = new("--threads") { Description = "libtorch intra-op threads for learned models (0 = one per core)", DefaultValueFactory = _ => 0 };
    public Option<bool> Verbose { get; } = new("--verbose", "-v") { Description = "Also log informational messages to stderr" };

    public void AddTo(Command command)
    {
        command.Options.Add(Models);
        command.Options.Add(MaxPixels);
        command.Options.Add(MaxVoxels);
        command.Options.Add(LogFile);
        command.Options.Add(Verbose);
        command.Options.Add(Threads);
    }

    /// <summary>The plugin-manifests folder shipped beside the executable (copied there by the build).</summary>
    public static string BuiltInManifests => Path.Combine(AppContext.BaseDirectory, "plugin-manifests");

    /// <summary>Builds the engine; <paramref name="adjust"/> lets a verb add its own limits (the server's roots, journal, timeouts).</summary>
    public SegBridgeEngine Build(ParseResult parse, Func<EngineOptions, EngineOptions>? adjust = null)
    {
        Logging.Configure(parse.GetValue(LogFile), parse.GetValue(Verbose));
        var maxPixels = parse.GetValue(MaxPixels);
        if (maxPixels <= 0) throw new CommandException($"--max-pixels must be positive, got {maxPixels}");
        var threads = parse.GetValue(Threads);
        if (threads is < 0 or > 1024) throw new CommandException($"--threads is {threads}; allowed range is [0, 1024]");
        TorchRuntime.Threads = threads;
        var maxVoxels = parse.GetValue(MaxVoxels);
        if (maxVoxels <= 0) throw new CommandException($"--max-voxels must be positive, got {maxVoxels}");
        var dirs = new List<string> { BuiltInManifests };
        dirs.AddRange((parse.GetValue(Models) ?? []).Select(Path.GetFullPath));
        var options = new EngineOptions { MaxImagePixels = maxPixels, MaxVolumeVoxels = maxVoxels, ManifestDirectories = dirs };
        if (adjust is not null) options = adjust(options);
        try { return new SegBridgeEngine(options, [.. BuiltInFamilies.All, .. TorchFamilies.All], TorchFamilies.Trainers); }
        catch (IOException e) { throw new CommandException(e.Message); }
    }
}
