using System.Diagnostics;
using SegBridge.Protocol.Messages;
using SegBridge.Tests.Support;

namespace SegBridge.Tests.Integration;

/// <summary>
/// images/open on files inside an allowed folder that are not images: a FIFO, a folder, a device, a huge sparse
/// file, a file of secrets. Each gets a clear error naming the path as the client gave it, quickly, without the
/// engine reading the file whole, blocking the connection or quoting the file's bytes.
/// </summary>
public sealed class ImageFileSafetyTests
{
    [Fact]
    public async Task A_fifo_a_folder_and_a_device_are_refused_as_not_regular_files_and_the_connection_keeps_answering()
    {
        var folder = Directory.CreateTempSubdirectory("segbridge-files").FullName;
        var fifo = Path.Combine(folder, "never-written.png");
        using (var mk = Process.Start("mkfifo", [fifo])) mk.WaitForExit();
        var (engine, rpc) = EngineProcess.StartStdio("--allow-root", folder, "--allow-root", "/dev");
        await using (engine)
        using (rpc)
        {
            await rpc.InitializeAsync();
            var fromFifo = await rpc.ErrorAsync("images/open", new OpenImageParams { Path = fifo }).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(3002, fromFifo.ErrorCode);
            Assert.Contains("not a regular file", fromFifo.Message);
            Assert.Contains("FIFO", fromFifo.Message);
            await rpc.CallAsync<PingResult>("ping", new EmptyParams()).WaitAsync(TimeSpan.FromSeconds(5));

            var fromFolder = await rpc.ErrorAsync("images/open", new OpenImageParams { Path = folder + "/." });
            Assert.Equal(3002, fromFolder.ErrorCode);
            Assert.Contains($"'{folder}/.' is a folder, not a regular file", fromFolder.Message);

            var fromDevice = await rpc.ErrorAsync("images/open", new OpenImageParams { Path = "/dev/zero" }).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(3002, fromDevice.ErrorCode);
            Assert.Contains("character device, not a regular file", fromDevice.Message);
            Assert.DoesNotContain("   at ", engine.StdErr);
        }
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task The_engines_working_folder_is_refused_by_the_name_the_client_gave()
    {
        var (engine, rpc) = EngineProcess.StartStdio(); // the default roots include the working folder
        await using (engine)
        using (rpc)
        {
            await rpc.InitializeAsync();
            var error = await rpc.ErrorAsync("images/open", new OpenImageParams { Path = "." });
            Assert.Equal(3002, error.ErrorCode);
            Assert.Equal("'.' is a folder, not a regular file; images/open reads image files only", error.Message);
            Assert.DoesNotContain(Environment.CurrentDirectory, error.Message);
        }
    }

    [Fact]
    public async Task A_huge_file_is_refused_from_its_header_without_being_read()
    {
        var folder = Directory.CreateTempSubdirectory("segbridge-files").FullName;
        var sparse = Path.Combine(folder, "zeros.bin");
        using (var f = File.Create(sparse)) f.SetLength(1000L << 20);
        // A real 10×10 PNG header followed by 1000 MB of nothing.
        var padded = Path.Combine(folder, "padded.png");
        using (var f = File.Create(padded))
        {
            f.Write(TestImages.DiskPng(10, 10, 5, 5, 3));
            f.SetLength(1000L << 20);
        }
        var (engine, rpc) = EngineProcess.StartStdio("--allow-root", folder);
        await using (engine)
        using (rpc)
        {
            await rpc.InitializeAsync();
            var before = ResidentMb(engine.Process);
            var clock = Stopwatch.StartNew();
            var zeros = await rpc.ErrorAsync("images/open", new OpenImageParams { Path = sparse });
            Assert.Equal(3002, zeros.ErrorCode);
            Assert.Contains("not a PNG, JPEG or TIFF", zeros.Message);
            var tooBig = await rpc.ErrorAsync("images/open", new OpenImageParams { Path = padded });
            Assert.Equal(3002, tooBig.ErrorCode);
            Assert.Contains("more than a 10x10 PNG can take", tooBig.Message);
            clock.Stop();
            var grown = ResidentMb(engine.Process) - before;
            Assert.True(grown < 200, $"the engine grew by {grown} MB refusing two 1000 MB files");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"refusing two 1000 MB files took {clock.Elapsed}");
        }
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task A_file_that_is_no_image_is_refused_without_quoting_its_bytes()
    {
        var folder = Directory.CreateTempSubdirectory("segbridge-files").FullName;
        var secret = Path.Combine(folder, "shadow");
        File.WriteAllText(secret, "root:*:19000:0:99999:7:::\n");
        var (engine, rpc) = EngineProcess.StartStdio("--allow-root", folder);
        await using (engine)
        using (rpc)
        {
            await rpc.InitializeAsync();
            var error = await rpc.ErrorAsync("images/open", new OpenImageParams { Path = secret });
            Assert.Equal(3002, error.ErrorCode);
            Assert.Contains("not a PNG, JPEG or TIFF", error.Message);
            Assert.DoesNotContain("72 6F", error.Message);
            Assert.DoesNotContain("root", error.Message);
        }
        Directory.Delete(folder, recursive: true);
    }

    /// <summary>The process's resident memory (VmRSS) in MB.</summary>
    internal static long ResidentMb(Process process)
    {
        var line = File.ReadLines($"/proc/{process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;
    }
}
