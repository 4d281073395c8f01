using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MessagePack;
using SegBridge.Tests.Support;
using Xunit.Abstractions;

namespace SegBridge.Tests.Reliability;

/// <summary>
/// Thousands of hostile frames from a seeded generator, by category. Every frame must get exactly one
/// error reply (or a result, where the generator happened to make a valid request), and the engine must
/// still answer a ping after each category. Counts per category and error code are printed.
/// </summary>
public sealed class HostileInputTests(ITestOutputHelper output)
{
    private static readonly byte[] Png = TestImages.DiskPng(64, 48, 30, 20, 10);

    [Fact]
    public async Task Json_endpoint_answers_every_hostile_frame_and_stays_up()
    {
        var rng = new Random(20261124);
        var categories = new (string Name, int Count, Func<int, string> Make)[]
        {
            ("random bytes", 400, i => RandomText(rng, rng.Next(1, 200))),
            ("random JSON", 400, i => RandomJson(rng, 0)?.ToJsonString() ?? "null"),
            ("wrong param types", 800, i => Request(i, RandomMethod(rng), MutatedParams(rng))),
            ("huge numbers and negative sizes", 300, i => Request(i, "images/open", new JsonObject
            {
                ["raw"] = new JsonObject { ["width"] = Extreme(rng), ["height"] = Extreme(rng), ["channels"] = Extreme(rng), ["dtype"] = "uint8", ["data"] = "AAAA" },
            })),
            ("non-finite and absurd clicks", 300, i => Request(i, "sessions/interact", new JsonObject
            {
                ["sessionId"] = "ses-1",
                ["click"] = new JsonObject { ["x"] = Extreme(rng), ["y"] = JsonValue.Create("NaN"), ["radius"] = Extreme(rng) },
            })),
            ("deep JSON", 40, i => DeepRequest(i, rng.Next(65, 20000))),
            ("corrupt images", 300, i => Request(i, "images/open", new JsonObject { ["encoded"] = Convert.ToBase64String(Corrupt(rng)) })),
        };

        await using var engine = EngineProcess.Start("serve", "--stdio");
        var stdin = engine.Process.StandardInput.BaseStream;
        var reader = new FrameReader(engine.Process.StandardOutput.BaseStream);
        await Initialize(stdin, reader);
        int total = 0;
        foreach (var (name, count, make) in categories)
        {
            var codes = new SortedDictionary<string, int>();
            for (int i = 0; i < count; i++)
            {
                var frame = make(1000 + i);
                await WriteFrame(stdin, frame);
                string reply;
                try { reply = await reader.NextAsync().WaitAsync(TimeSpan.FromSeconds(30)); }
                catch (TimeoutException) { throw new Xunit.Sdk.XunitException($"{name}: no reply to frame {i}: {frame[..Math.Min(frame.Length, 300)]}"); }
                using var doc = JsonDocument.Parse(reply);
                var key = doc.RootElement.TryGetProperty("error", out var err) ? err.GetProperty("code").GetInt32().ToString() : "result";
                codes[key] = codes.GetValueOrDefault(key) + 1;
            }
            await WriteFrame(stdin, """{"jsonrpc":"2.0","id":"alive","method":"ping"}""");
            var pong = await reader.NextAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(pong.Contains("\"alive\"") && pong.Contains("serverTimeUtc"), $"no ping reply after {name}: {pong}");
            Assert.Equal(count, codes.Values.Sum());
            Assert.False(codes.ContainsKey("9001"), $"{name}: internal errors {codes.GetValueOrDefault("9001")} — see the engine log");
            output.WriteLine($"{name,-32} {count,5} frames: {string.Join(", ", codes.Select(kv => $"{kv.Key}×{kv.Value}"))}");
            total += count;
        }
        output.WriteLine($"{total} hostile frames, every one answered, engine alive");
        Assert.False(engine.Process.HasExited);
    }

    [Fact]
    public async Task MessagePack_endpoint_answers_truncated_and_garbage_frames_and_stays_up()
    {
        var rng = new Random(7);
        await using var engine = EngineProcess.Start("serve", "--stdio", "--msgpack");
        var stdin = engine.Process.StandardInput.BaseStream;
        var stdout = engine.Process.StandardOutput.BaseStream;
        var valid = MessagePackSerializer.Serialize(new Dictionary<string, object>
        {
            ["jsonrpc"] = "2.0", ["id"] = 1, ["method"] = "images/open",
            ["params"] = new Dictionary<string, object> { ["encoded"] = Png },
        });
        int sent = 0;
        for (int i = 0; i < 300; i++)
        {
            var body = (i % 3) switch
            {
                0 => valid[..rng.Next(1, valid.Length - 1)],                                   // truncated request
                1 => Enumerable.Range(0, rng.Next(1, 64)).Select(_ => (byte)rng.Next(256)).ToArray(), // garbage
                _ => MessagePackSerializer.Serialize(new object[] { 1, "x", 2.5 }),                 // valid MessagePack, not a request
            };
            await WriteLengthPrefixed(stdin, body);
            sent++;
        }
        var ping = MessagePackSerializer.Serialize(new Dictionary<string, object> { ["jsonrpc"] = "2.0", ["id"] = "alive", ["method"] = "ping" });
        await WriteLengthPrefixed(stdin, ping);

        int replies = 0;
        bool alive = false;
        var prefix = new byte[4];
        while (!alive)
        {
            await stdout.ReadExactlyAsync(prefix).AsTask().WaitAsync(TimeSpan.FromSeconds(60));
            var body = new byte[BinaryPrimitives.ReadUInt32BigEndian(prefix)];
            await stdout.ReadExactlyAsync(body);
            var json = MessagePackSerializer.ConvertToJson(body);
            if (json.Contains("\"alive\""))
            {
                Assert.Contains("serverTimeUtc", json); // a ping without params must work, not just be answered
                alive = true;
            }
            else replies++;
        }
        output.WriteLine($"MessagePack: {sent} hostile frames, {replies} error replies, engine alive");
        Assert.True(replies >= sent * 2 / 3, $"only {replies} replies to {sent} frames");
        Assert.False(engine.Process.HasExited);
    }

    [Fact]
    public async Task Corrupt_slide_files_are_refused_by_path_and_the_engine_stays_up()
    {
        var rng = new Random(99);
        var dir = Directory.CreateTempSubdirectory("segbridge-badslides").FullName;
        var tiff = new byte[] { 0x49, 0x49, 0x2A, 0x00, 0x08, 0x00, 0x00, 0x00 };
        var files = new List<string>();
        byte[]? realSlide = RepoPaths.Data is { } data && File.Exists(Path.Combine(data, "wsi", "cmu-1-small-region.svs"))
            ? File.ReadAllBytes(Path.Combine(data, "wsi", "cmu-1-small-region.svs")) : null;
        for (int i = 0; i < 60; i++)
        {
            byte[] body = (i % 4) switch
            {
                0 => Enumerable.Range(0, rng.Next(0, 4096)).Select(_ => (byte)rng.Next(256)).ToArray(),        // noise named .svs
                1 => [.. tiff, .. Enumerable.Range(0, rng.Next(0, 2048)).Select(_ => (byte)rng.Next(256))],    // TIFF header, garbage IFD
                2 when realSlide is not null => realSlide[..rng.Next(8, Math.Min(realSlide.Length, 200_000))], // a real slide cut short
                _ => Png[..rng.Next(8, Png.Length)],                                                             // a truncated PNG named .svs
            };
            var path = Path.Combine(dir, $"bad{i}.{(i % 2 == 0 ? "svs" : "tif")}");
            File.WriteAllBytes(path, body);
            files.Add(path);
        }
        var (engine, rpc) = EngineProcess.StartStdio("--allow-root", dir);
        await using (engine)
        using (rpc)
        {
            await rpc.InitializeAsync();
            var codes = new SortedDictionary<int, int>();
            foreach (var f in files)
            {
                var e = await rpc.ErrorAsync("images/open", new Protocol.Messages.OpenImageParams { Path = f });
                codes[e.ErrorCode] = codes.GetValueOrDefault(e.ErrorCode) + 1;
            }
            output.WriteLine($"corrupt slide files: {files.Count} refused ({string.Join(", ", codes.Select(kv => $"{kv.Key}×{kv.Value}"))}){(realSlide is null ? "; no real slide to truncate (shared data absent)" : "")}");
            Assert.Equal([3002], codes.Keys);
            await rpc.CallAsync<Protocol.Messages.PingResult>("ping", new Protocol.Messages.EmptyParams());
        }
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task Corrupt_nifti_files_are_refused_by_path_and_the_engine_stays_up()
    {
        var rng = new Random(1348);
        var dir = Directory.CreateTempSubdirectory("segbridge-badnifti").FullName;
        var valid = Volumes.NiftiFiles.Nii(Volumes.NiftiFiles.SmallVolume(16, 12, 6));
        byte[] Edit(Action<byte[]> edit) => Volumes.NiftiFiles.With(valid, edit);
        byte[] Noise(int n) => Enumerable.Range(0, n).Select(_ => (byte)rng.Next(256)).ToArray();
        byte[] NoiseWithMagic(bool sizeofHdr) => Volumes.NiftiFiles.With(Noise(rng.Next(348, 2000)), b =>
        {
            "n+1\0"u8.CopyTo(b.AsSpan(344));
            if (sizeofHdr) Volumes.NiftiFiles.Int32At(b, 0, 348);
        });
        var gz = Volumes.NiftiFiles.Gzip;
        var categories = new (string Name, Func<int, byte[]> Make, int Count)[]
        {
            ("truncated header", i => valid[..rng.Next(0, 348)], 6),
            ("truncated header, gzip", i => gz(valid[..rng.Next(0, 348)]), 4),
            ("random bytes, valid magic", i => NoiseWithMagic(sizeofHdr: i % 2 == 0), 8),
            ("random bytes, valid magic, gzip", i => gz(NoiseWithMagic(sizeofHdr: true)), 4),
            ("absurd dims", i => Edit(b => { foreach (var (axis, value) in new (int, short)[] { (0, 0), (0, 8), (0, -1), (1, 0), (2, -7), (3, short.MinValue) }.Skip(i % 6).Take(1)) Volumes.NiftiFiles.Dim(b, axis, value); }), 6),
            ("32767^3 dims in a small file", i => Edit(b => { for (int a = 1; a <= 3; a++) Volumes.NiftiFiles.Dim(b, a, 32767); }), 2),
            ("1000^3 dims in a small gzip", i => gz(Edit(b => { Volumes.NiftiFiles.Int16At(b, 70, 2); for (int a = 1; a <= 3; a++) Volumes.NiftiFiles.Dim(b, a, 1000); })), 2),
            ("4-D series", i => Edit(b => { Volumes.NiftiFiles.Dim(b, 0, 4); Volumes.NiftiFiles.Dim(b, 4, (short)rng.Next(2, 500)); }), 2),
            ("unsupported datatype", i => Edit(b => Volumes.NiftiFiles.Int16At(b, 70, new short[] { 1, 32, 128, 1024, 1536, 2304, 0, -4 }[i % 8])), 8),
            ("bad vox_offset", i => Edit(b => Volumes.NiftiFiles.FloatAt(b, 108, new[] { 12f, 351f, 352.25f, float.NaN, -1e9f, 3e9f, 1e6f }[i % 7])), 7),
            ("non-finite scaling or spacing", i => Edit(b => Volumes.NiftiFiles.FloatAt(b, i % 2 == 0 ? 112 : 84, float.PositiveInfinity * (i % 3 == 0 ? -1 : 1))), 3),
            ("truncated voxel data", i => valid[..rng.Next(352, valid.Length)], 4),
            ("truncated gzip", i => gz(valid) is var g ? g[..rng.Next(10, g.Length - 8)] : [], 6),
            ("gzip magic, garbage body", i => [0x1F, 0x8B, .. Noise(rng.Next(0, 600))], 4),
            ("NIfTI-2 and .hdr/.img magic", i => Edit(b => { if (i % 2 == 0) Volumes.NiftiFiles.Int32At(b, 0, 540); else "ni1\0"u8.CopyTo(b.AsSpan(344)); }), 2),
        };
        var files = new List<(string Category, string Path)>();
        foreach (var (name, make, count) in categories)
            for (int i = 0; i < count; i++)
            {
                var path = Path.Combine(dir, $"bad{files.Count}.{(i % 2 == 0 ? "nii" : "nii.gz")}");
                File.WriteAllBytes(path, make(i));
                files.Add((name, path));
            }
        File.WriteAllBytes(Path.Combine(dir, "pair.hdr"), valid[..352]);
        files.Add(("header of a .hdr/.img pair", Path.Combine(dir, "pair.hdr")));

        var (engine, rpc) = EngineProcess.StartStdio("--allow-root", dir);
        await using (engine)
        using (rpc)
        {
            await rpc.InitializeAsync();
            var codes = new SortedDictionary<int, int>();
            foreach (var group in files.GroupBy(f => f.Category))
            {
                var here = new SortedDictionary<int, int>();
                foreach (var (_, path) in group)
                {
                    var e = await rpc.ErrorAsync("images/open", new Protocol.Messages.OpenImageParams { Path = path });
                    Assert.True(e.ErrorCode == 3002, $"{group.Key}: {Path.GetFileName(path)} got {e.ErrorCode}: {e.Message}");
                    Assert.Contains("NIfTI", e.Message);
                    here[e.ErrorCode] = here.GetValueOrDefault(e.ErrorCode) + 1;
                    codes[e.ErrorCode] = codes.GetValueOrDefault(e.ErrorCode) + 1;
                }
                output.WriteLine($"{group.Key,-34} {group.Count(),3} files: {string.Join(", ", here.Select(kv => $"{kv.Key}×{kv.Value}"))}");
            }
            await rpc.CallAsync<Protocol.Messages.PingResult>("ping", new Protocol.Messages.EmptyParams());
            var ok = await rpc.CallAsync<Protocol.Messages.ImageInfo>("images/open", new Protocol.Messages.OpenImageParams { Encoded = valid });
            Assert.Equal(6, ok.Depth); // and it still reads a good one
            output.WriteLine($"corrupt NIfTI files: {files.Count} refused ({string.Join(", ", codes.Select(kv => $"{kv.Key}×{kv.Value}"))}), engine alive");
            Assert.Equal([3002], codes.Keys);
        }
        Directory.Delete(dir, recursive: true);
    }

    private static async Task Initialize(Stream stdin, FrameReader reader)
    {
        await WriteFrame(stdin, """{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"1.0","clientName":"fuzz"}}""");
        var reply = await reader.NextAsync();
        Assert.Contains("\"result\"", reply);
    }

    private static string Request(int id, string method, JsonNode? parameters)
        => new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = parameters }.ToJsonString();

    private static readonly string[] Methods =
        ["initialize", "ping", "models/list", "models/describe", "images/open", "images/close", "sessions/create", "sessions/interact",
         "sessions/undo", "sessions/redo", "sessions/reset", "sessions/mask", "sessions/history", "sessions/list", "sessions/close", "no/such"];

    private static string RandomMethod(Random rng) => Methods[rng.Next(Methods.Length)];

    private static JsonNode MutatedParams(Random rng)
    {
        var o = new JsonObject();
        foreach (var field in new[] { "sessionId", "imageId", "modelId", "format", "click", "scribble", "labels", "box", "path", "raw", "protocolVersion", "tolerance" })
            if (rng.NextDouble() < 0.4) o[field] = RandomJson(rng, 2);
        return o;
    }

    private static JsonNode? RandomJson(Random rng, int depth) => (depth > 3 ? rng.Next(5) : rng.Next(8)) switch
    {
        0 => null,
        1 => JsonValue.Create(rng.NextDouble() < 0.5),
        2 => JsonValue.Create(rng.Next(int.MinValue, int.MaxValue)),
        3 => JsonValue.Create(rng.NextDouble() * Math.Pow(10, rng.Next(-300, 300))),
        4 => JsonValue.Create(RandomText(rng, rng.Next(0, 20))),
        5 or 6 => new JsonArray(Enumerable.Range(0, rng.Next(0, 4)).Select(_ => RandomJson(rng, depth + 1)).ToArray()),
        _ => new JsonObject(Enumerable.Range(0, rng.Next(0, 4)).Select(i => KeyValuePair.Create($"k{i}", RandomJson(rng, depth + 1)))),
    };

    private static JsonNode Extreme(Random rng) => rng.Next(6) switch
    {
        0 => JsonValue.Create(-rng.Next(1, 100000)),
        1 => JsonValue.Create(long.MaxValue),
        2 => JsonValue.Create(1e308),
        3 => JsonValue.Create(0),
        4 => JsonValue.Create(int.MaxValue),
        _ => JsonValue.Create("1e999"),
    };

    /// <summary>Nesting far past any sane depth, written as text (JSON writers refuse to produce it).</summary>
    private static string DeepRequest(int id, int depth)
        => $"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"method\":\"ping\",\"params\":{{\"x\":{new string('[', depth)}{new string(']', depth)}}}}}";

    private static byte[] Corrupt(Random rng)
    {
        var bytes = (byte[])Png.Clone();
        switch (rng.Next(3))
        {
            case 0: return bytes[..rng.Next(8, bytes.Length)];
            case 1:
                for (int i = 0; i < 20; i++) bytes[rng.Next(8, bytes.Length)] ^= (byte)rng.Next(1, 256);
                return bytes;
            default:
                var tiffHeader = new byte[] { 0x49, 0x49, 0x2A, 0x00, (byte)rng.Next(256), (byte)rng.Next(256), 0, 0 };
                return [.. tiffHeader, .. Enumerable.Range(0, rng.Next(0, 300)).Select(_ => (byte)rng.Next(256))];
        }
    }

    private static string RandomText(Random rng, int length)
    {
        var chars = new char[length];
        for (int i = 0; i < length; i++) chars[i] = (char)rng.Next(32, 0x2FF);
        return new string(chars);
    }

    private static async Task WriteFrame(Stream s, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        await s.WriteAsync(Encoding.ASCII.GetBytes($"Content-Length: {bytes.Length}\r\n\r\n"));
        await s.WriteAsync(bytes);
        await s.FlushAsync();
    }

    private static async Task WriteLengthPrefixed(Stream s, byte[] body)
    {
        var prefix = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(prefix, (uint)body.Length);
        await s.WriteAsync(prefix);
        await s.WriteAsync(body);
        await s.FlushAsync();
    }

    /// <summary>Reads Content-Length framed replies one at a time.</summary>
    private sealed class FrameReader(Stream stream)
    {
        private readonly BufferedStream _in = new(stream);

        public async Task<string> NextAsync()
        {
            int length = -1;
            while (true)
            {
                var line = await ReadLine();
                if (line.Length == 0 && length >= 0) break;
                if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)) length = int.Parse(line[15..].Trim());
            }
            var body = new byte[length];
            await _in.ReadExactlyAsync(body);
            return Encoding.UTF8.GetString(body);
        }

        private async Task<string> ReadLine()
        {
            var sb = new StringBuilder();
            var one = new byte[1];
            while (true)
            {
                if (await _in.ReadAsync(one) == 0) throw new EndOfStreamException("engine closed stdout");
                if (one[0] == '\n') return sb.ToString().TrimEnd('\r');
                sb.Append((char)one[0]);
            }
        }
    }
}
