using NLog;
using NLog.Config;
using NLog.Targets;

namespace SegBridge.Host;

/// <summary>
/// NLog to a rolling file and to stderr. Never stdout: in --stdio mode stdout carries protocol bytes only.
/// </summary>
internal static class Logging
{
    public static string DefaultLogFile()
    {
        var state = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        if (string.IsNullOrEmpty(state)) state = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
        return Path.Combine(state, "segbridge", "segbridge.log");
    }

    public static void Configure(string? logFile, bool verbose)
    {
        var config = new LoggingConfiguration();
        var layout = "${longdate} ${level:uppercase=true} ${logger:shortName=true} ${message}${onexception:inner= ${exception:format=tostring}}";
        var file = new FileTarget("file")
        {
            FileName = logFile ?? DefaultLogFile(),
            Layout = layout,
            ArchiveAboveSize = 10_000_000,
            MaxArchiveFiles = 3,
        };
        var stderr = new ConsoleTarget("stderr") { StdErr = true, Layout = "segbridge: ${level:lowercase=true}: ${message}" };
        config.AddRule(LogLevel.Info, LogLevel.Fatal, file);
        config.AddRule(verbose ? LogLevel.Info : LogLevel.Warn, LogLevel.Fatal, stderr);
        LogManager.Configuration = config;
    }
}
