using SegBridge.Tests.Support;

namespace SegBridge.Tests.Reliability;

/// <summary>
/// `--pipe NAME` binds NAME in a folder only the engine's user can enter: $XDG_RUNTIME_DIR/segbridge when that is
/// a folder of the user's, else $TMPDIR/segbridge-UID; created 0700, and one open to others is refused.
/// </summary>
public sealed class PipeFolderTests
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    [Fact]
    public async Task With_XDG_RUNTIME_DIR_the_socket_is_in_its_segbridge_folder_made_0700()
    {
        var runtime = Directory.CreateTempSubdirectory("sbt-xdg-").FullName;
        try
        {
            var (engine, socket) = await EngineProcess.StartPipeAsync(
                new Dictionary<string, string?> { ["XDG_RUNTIME_DIR"] = runtime }, "sbt-xdg", "--no-journal");
            await using (engine)
            {
                Assert.Equal(Path.Combine(runtime, "segbridge", "sbt-xdg"), socket);
                Assert.Equal(OwnerOnly, File.GetUnixFileMode(Path.Combine(runtime, "segbridge")));
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(socket));
                await using var s = await Clients.ConnectSocketAsync(socket);
                using var rpc = Clients.Json(s, s);
                await rpc.InitializeAsync();
            }
        }
        finally { Directory.Delete(runtime, recursive: true); }
    }

    [Fact]
    public async Task Without_it_the_socket_is_in_TMPDIR_segbridge_UID_and_a_folder_open_to_others_is_refused()
    {
        var tmp = Directory.CreateTempSubdirectory("sbt-tmpdir-").FullName;
        var environment = new Dictionary<string, string?> { ["TMPDIR"] = tmp, ["XDG_RUNTIME_DIR"] = null };
        try
        {
            var folder = Path.Combine(tmp, $"segbridge-{ProcessRun.Run("/usr/bin/id", "-u").Out.Trim()}");
            var (engine, socket) = await EngineProcess.StartPipeAsync(environment, "sbt-tmp", "--no-journal");
            await using (engine)
            {
                Assert.Equal(Path.Combine(folder, "sbt-tmp"), socket);
                Assert.Equal(OwnerOnly, File.GetUnixFileMode(folder));
            }

            File.SetUnixFileMode(folder, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            await using var refused = EngineProcess.Start(environment, "serve", "--pipe", "sbt-tmp", "--no-journal");
            Assert.Equal(2, await refused.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains($"refusing the pipe folder {folder}: its mode is 0751, open to others", refused.StdErr);
        }
        finally { Directory.Delete(tmp, recursive: true); }
    }
}
