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
        var path = Path.GetFullPath(logFile ?? DefaultLogFile());
        CreateOwnerOnly(path);
        var file = new FileTarget("file")
        {
            FileName = path,
            Layout = layout,
            ArchiveAboveSize = 10_000_000,
            MaxArchiveFiles = 3,
        };
        var stderr = new ConsoleTarget("stderr") { StdErr = true, Layout = "segbridge: ${level:lowercase=true}: ${message}" };
        config.AddRule(LogLevel.Info, LogLevel.Fatal, file);
        config.AddRule(verbose ? LogLevel.Info : LogLevel.Warn, LogLevel.Fatal, stderr);
        LogManager.Configuration = config;
    }

    /// <summary>
    /// Logs name images, sessions and clients: a new log file is created 0600 (a new folder 0700) before NLog opens
    /// it, since NLog would create it with the umask's mode (usually 0644, readable by every user).
    /// </summary>
    private static void CreateOwnerOnly(string path)
    {
        if (OperatingSystem.IsWindows() || File.Exists(path)) return;
        try
        {
            if (Path.GetDirectoryName(path) is { } folder && !Directory.Exists(folder))
                Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            using var _ = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
        }
        catch (IOException) { } // created by a concurrent engine in between, or not writable: NLog reports the latter itself
        catch (UnauthorizedAccessException) { }
    }
}
