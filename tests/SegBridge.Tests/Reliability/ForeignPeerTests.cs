using System.Diagnostics;
using System.Text;
using System.Text.Json;
using SegBridge.Tests.Support;
using Xunit.Abstractions;

namespace SegBridge.Tests.Reliability;

/// <summary>
/// The pipe serves its owner only, even against root, who passes any file mode: an engine run as a second user
/// refuses root's connection (its peer credentials say another user) without dying and keeps serving its owner;
/// and the engine will not use a pipe folder of another user's.
/// </summary>
public sealed class ForeignPeerTests(ITestOutputHelper output)
{
    private const string OwnerPing = """
        import socket, sys
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(30)
        s.connect(sys.argv[1])
        body = b'{"jsonrpc":"2.0","id":1,"method":"ping","params":{}}'
        s.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk: sys.exit("engine closed the connection")
            data += chunk
        head, rest = data.split(b"\r\n\r\n", 1)
        length = int(head.split(b":")[1])
        while len(rest) < length:
            rest += s.recv(65536)
        print(rest[:length].decode())
        """;

    [SkippableFact]
    public async Task Root_is_refused_by_another_users_engine_which_keeps_serving_its_owner()
    {
        var unavailable = ProbeUser.Unavailable();
        Skip.If(unavailable is not null, unavailable);
        var home = ProbeUser.NewFolder();
        const string name = "sbt-peer";
        var psi = new ProcessStartInfo("/usr/sbin/runuser")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in new[]
                 {
                     "-u", ProbeUser.Name, "--", "/usr/bin/env", "-u", "XDG_RUNTIME_DIR", $"TMPDIR={home}", $"HOME={home}",
                     RepoPaths.Engine, "serve", "--pipe", name, "--no-journal", "--allow-root", home, "--log-file", Path.Combine(home, "engine.log"),
                 })
            psi.ArgumentList.Add(a);
        using var runuser = Process.Start(psi)!;
        runuser.StandardInput.Close(); // an engine waiting on an inherited stdin is what hung an earlier attempt
        var stderr = new StringBuilder();
        runuser.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        runuser.BeginErrorReadLine();
        int? enginePid = null;
        try
        {
            var line = await runuser.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60))
                       ?? throw new InvalidOperationException("the engine exited before its ready line: " + stderr);
            using var ready = JsonDocument.Parse(line);
            var path = ready.RootElement.GetProperty("path").GetString()!;
            enginePid = ready.RootElement.GetProperty("pid").GetInt32();
            Assert.Equal(Path.Combine(home, $"segbridge-{ProbeUser.Uid}", name), path);
            Assert.Equal($"{ProbeUser.Uid} 700", ProcessRun.Run("/usr/bin/stat", "-c", "%u %a", Path.GetDirectoryName(path)!).Out.Trim());

            // Root reaches the socket (file modes do not stop it); the engine hangs up without reading a byte.
            await using (var intruder = await Clients.ConnectSocketAsync(path))
            {
                // The engine may hang up before the ping is even written (it checks the peer on accept): a fast engine
                // or a busy test thread then gets a broken pipe here, which is the same refusal.
                try { await intruder.WriteAsync(HeaderWire.Frame(RawWire.Ping(1))); }
                catch (IOException) { }
                var reply = new byte[256];
                int read;
                try { read = await intruder.ReadAsync(reply).AsTask().WaitAsync(TimeSpan.FromSeconds(20)); }
                catch (IOException) { read = 0; } // reset: the engine closed with the ping unread
                Assert.Equal(0, read);
            }
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (!Text(stderr).Contains("refused a pipe connection") && DateTime.UtcNow < deadline) await Task.Delay(50);
            output.WriteLine(Text(stderr));
            Assert.Contains("refused a pipe connection: process", Text(stderr));
            Assert.Contains("of user id 0 is not the engine's user", Text(stderr));
            Assert.False(runuser.HasExited, "the engine died after refusing a peer");

            // Its owner is still served.
            var (code, stdout, err) = await ProcessRun.RunAsync(TimeSpan.FromSeconds(60),
                "/usr/sbin/runuser", "-u", ProbeUser.Name, "--", "/usr/bin/python3", "-c", OwnerPing, path);
            output.WriteLine($"owner's ping: {stdout.Trim()} {err.Trim()}");
            Assert.True(code == 0, err);
            Assert.Contains("\"serverTimeUtc\"", stdout);
        }
        finally
        {
            if (enginePid is { } pid) ProcessRun.Run("/usr/bin/kill", "-TERM", pid.ToString());
            try { await runuser.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20)); }
            catch (TimeoutException) { runuser.Kill(entireProcessTree: true); }
            Directory.Delete(home, recursive: true);
        }
        Assert.Equal(0, runuser.ExitCode);
    }

    [SkippableFact]
    public async Task The_engine_will_not_use_a_pipe_folder_that_another_user_owns()
    {
        var unavailable = ProbeUser.Unavailable();
        Skip.If(unavailable is not null, unavailable);
        var tmp = Directory.CreateTempSubdirectory("sbt-pipes-").FullName;
        try
        {
            var uid = ProcessRun.Run("/usr/bin/id", "-u").Out.Trim();
            var squatted = Path.Combine(tmp, $"segbridge-{uid}");
            Directory.CreateDirectory(squatted, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Assert.Equal(0, ProcessRun.Run("/usr/bin/chown", ProbeUser.Name, squatted).Code);

            await using var engine = EngineProcess.Start(new Dictionary<string, string?> { ["TMPDIR"] = tmp, ["XDG_RUNTIME_DIR"] = null },
                "serve", "--pipe", "squatted", "--no-journal");
            Assert.Equal(2, await engine.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            output.WriteLine(engine.StdErr);
            Assert.Contains($"refusing the pipe folder {squatted}: it belongs to user id {ProbeUser.Uid}", engine.StdErr);
            Assert.False(File.Exists(Path.Combine(squatted, "squatted")));
        }
        finally { Directory.Delete(tmp, recursive: true); }
    }

    private static string Text(StringBuilder b) { lock (b) return b.ToString(); }
}
