using System.CommandLine;
using SegBridge.Engine;
using SegBridge.Models;

namespace SegBridge.Host.Commands;

/// <summary>Options every verb that builds an engine shares, and the one place that builds it.</summary>
internal sealed class EngineSettings
{
    public Option<string[]> Models { get; } = new("--models") { Description = "Extra folder of model manifests (repeatable); searched after the built-in plugin-manifests", AllowMultipleArgumentsPerToken = false };
    public Option<long> MaxPixels { get; } = new("--max-pixels") { Description = "Largest image (width*height) the engine accepts", DefaultValueFactory = _ => new EngineOptions().MaxImagePixels };
    public Option<string?> LogFile { get; } = new("--log-file") { Description = $"Log file (default {Logging.DefaultLogFile()})" };
    public Option<bool> Verbose { get; } = new("--verbose", "-v") { Description = "Also log informational messages to stderr" };

    public void AddTo(Command command)
    {
        command.Options.Add(Models);
        command.Options.Add(MaxPixels);
        command.Options.Add(LogFile);
        command.Options.Add(Verbose);
    }

    /// <summary>The plugin-manifests folder shipped beside the executable (copied there by the build).</summary>
    public static string BuiltInManifests => Path.Combine(AppContext.BaseDirectory, "plugin-manifests");

    public SegBridgeEngine Build(ParseResult parse)
    {
        Logging.Configure(parse.GetValue(LogFile), parse.GetValue(Verbose));
        var maxPixels = parse.GetValue(MaxPixels);
        if (maxPixels <= 0) throw new CommandException($"--max-pixels must be positive, got {maxPixels}");
        var dirs = new List<string> { BuiltInManifests };
        dirs.AddRange((parse.GetValue(Models) ?? []).Select(Path.GetFullPath));
        return new SegBridgeEngine(new EngineOptions { MaxImagePixels = maxPixels, ManifestDirectories = dirs }, BuiltInFamilies.All);
    }
}
