namespace SegBridge.Tests.Support;

/// <summary>
/// A throw-away system user (no home, no shell) for tests that need a second user on the machine: a peer the
/// engine must refuse, or an engine that root must not reach. Only root can make one and act as it.
/// </summary>
public static class ProbeUser
{
    public const string Name = "segbridge-probe";

    private static readonly object Creating = new();

    /// <summary>Why the test cannot act as a second user here, or null when it can (the user then exists).</summary>
    public static string? Unavailable()
    {
        if (Environment.UserName != "root") return "needs root (to create a second user and run as it)";
        if (!File.Exists("/usr/sbin/useradd") || !File.Exists("/usr/sbin/runuser")) return "needs useradd and runuser";
        // Test classes run in parallel: on a fresh machine two of them would both find no user and both run useradd,
        // and the loser ("already exists", or /etc/passwd locked) would skip its second-user check.
        lock (Creating)
        {
            if (ProcessRun.Run("/usr/bin/id", "-u", Name).Code == 0) return null;
            var (code, _, err) = ProcessRun.Run("/usr/sbin/useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", Name);
            return code == 0 ? null : $"useradd {Name} failed: {err.Trim()}";
        }
    }

    public static uint Uid => uint.Parse(ProcessRun.Run("/usr/bin/id", "-u", Name).Out.Trim());

    /// <summary>A fresh folder the probe user owns (under /tmp: the tests' own temp folders are closed to it).</summary>
    public static string NewFolder()
    {
        var dir = Directory.CreateTempSubdirectory("sb-probe-").FullName;
        var (code, _, err) = ProcessRun.Run("/usr/bin/chown", Name, dir);
        if (code != 0) throw new InvalidOperationException($"chown {Name} {dir}: {err}");
        return dir;
    }
}
