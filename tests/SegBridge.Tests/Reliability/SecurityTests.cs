using System.Diagnostics;
using SegBridge.Protocol.Messages;
using SegBridge.Tests.Support;
using Xunit.Abstractions;

namespace SegBridge.Tests.Reliability;

/// <summary>The local service's security rules, each checked against the real executable.</summary>
public sealed class SecurityTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Images_open_only_reads_inside_the_allowed_roots()
    {
        var root = Directory.CreateTempSubdirectory("segbridge-root").FullName;
        var inside = Path.Combine(root, "disk.png");
        File.WriteAllBytes(inside, TestImages.DiskPng(120, 100, 60, 50, 25));
        var escape = Path.Combine(root, "passwd.png");
        File.CreateSymbolicLink(escape, "/etc/passwd");
        var (engine, rpc) = EngineProcess.StartStdio("--allow-root", root);
        await using (engine)
        using (rpc)
        {
            await rpc.InitializeAsync();
            var ok = await rpc.CallAsync<ImageInfo>("images/open", new OpenImageParams { Path = inside });
            Assert.Equal(120, ok.Width);
            foreach (var path in new[] { "/etc/shadow", "/etc/passwd", escape, Path.Combine(root, "..", Path.GetFileName(Path.GetTempPath().TrimEnd('/')), "x.png"), Path.Combine(root, "../../etc/hostname") })
            {
                var e = await rpc.ErrorAsync("images/open", new OpenImageParams { Path = path });
                output.WriteLine($"{path}: {e.ErrorCode} {e.Message}");
                Assert.True(e.ErrorCode is 3004 or 3002, $"{path} gave {e.ErrorCode}: {e.Message}");
                if (File.Exists(path)) Assert.Equal(3004, e.ErrorCode);
            }
            var refused = await rpc.ErrorAsync("images/open", new OpenImageParams { Path = "/etc/passwd" });
            Assert.Contains("--allow-root", refused.Message);
        }
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public async Task A_new_log_file_is_readable_by_its_owner_only()
    {
        var dir = Path.Combine(Directory.CreateTempSubdirectory("segbridge-log").FullName, "new-folder");
        var log = Path.Combine(dir, "engine.log");
        var (code, _, err) = await EngineCli.RunAsync("models", "list", "--log-file", log);
        Assert.True(code == 0, err);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(log));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(dir));
        Assert.NotEqual(0, new FileInfo(log).Length);
        Directory.Delete(Path.GetDirectoryName(dir)!, recursive: true);
    }

    [Fact]
    public async Task Pipe_socket_belongs_to_the_owner_only_and_a_second_user_is_refused()
    {
        var name = $"sbt-sec-{Guid.NewGuid():N}"[..20];
        var (engine, socket) = await EngineProcess.StartPipeAsync(name);
        await using (engine)
        {
            var info = new UnixFileInfo(socket);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(socket));
            Assert.Equal(Environment.UserName, info.Owner);

            if (ProbeUser.Unavailable() is { } unavailable)
            {
                output.WriteLine($"SKIPPED second-user check: {unavailable}");
                return;
            }
            var (code, stdout, stderr) = Run("/usr/sbin/runuser", "-u", ProbeUser.Name, "--", "/usr/bin/python3", "-c",
                $"import socket\ns = socket.socket(socket.AF_UNIX)\ntry:\n    s.connect('{socket}')\n    print('CONNECTED')\nexcept OSError as e:\n    print('REFUSED', e.errno)");
            output.WriteLine($"second user: {stdout.Trim()} {stderr.Trim()}");
            Assert.Equal(0, code);
            Assert.StartsWith("REFUSED", stdout.Trim());
        }
    }

    private static (int Code, string Out, string Err) Run(string exe, params string[] args) => ProcessRun.Run(exe, args);

    /// <summary>The owner of a file, read with stat(1) (System.IO does not expose it).</summary>
    private sealed class UnixFileInfo(string path)
    {
        public string Owner => Run("/usr/bin/stat", "-c", "%U", path).Out.Trim();
    }
}
