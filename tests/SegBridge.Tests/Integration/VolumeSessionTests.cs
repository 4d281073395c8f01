using SegBridge.Imaging.Geometry;
using SegBridge.Imaging.Volumes;
using SegBridge.Protocol.Messages;
using SegBridge.Tests.Support;
using SegBridge.Tests.Volumes;
using Xunit.Abstractions;

namespace SegBridge.Tests.Integration;

/// <summary>
/// NIfTI volumes through the real executable: opened by path and by bytes (depth and spacing reported),
/// sessions on one axial slice with the 2D models, slice checks, and journal restore after kill -9.
/// </summary>
public sealed class VolumeSessionTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Brats_flair_middle_slice_is_segmented_by_graph_cut_clicks()
    {
        Skip.If(BratsVolumeTests.CaseFolder is null, RepoPaths.NoDataMessage);
        var folder = BratsVolumeTests.CaseFolder!;
        var labels = NiftiReader.ReadFile(Path.Combine(folder, "OTMultiClass.nii.gz"), long.MaxValue, long.MaxValue);
        int z = labels.Depth / 2;
        var truth = labels.SliceAsFloat(z).Select(v => v > 0 ? (byte)1 : (byte)0).ToArray();
        Skip.If(truth.All(t => t == 0), $"no tumour on slice {z} of {folder}");

        var (engine, rpc) = EngineProcess.StartStdio("--allow-root", folder);
        await using (engine)
        using (rpc)
        {
            await rpc.InitializeAsync();
            var img = await rpc.CallAsync<ImageInfo>("images/open", new OpenImageParams { Path = Path.Combine(folder, "Flair_subtrMeanDivStd.nii.gz") });
            Assert.Equal((240L, 240L, 155, 1), (img.Width, img.Height, img.Depth!.Value, img.Channels));
            Assert.Equal([1.0, 1.0, 1.0], img.Spacing!);
            var session = await rpc.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams { ImageId = img.ImageId, ModelId = "graph-cut", Slice = z });
            Assert.Equal((240, 240, z), (session.Width, session.Height, session.Slice!.Value));

            // A small click robot: each click at the deepest point of the larger error, as the evaluation protocol does.
            var predicted = new byte[truth.Length];
            var ious = new List<double>();
            for (int click = 0; click < 5; click++)
            {
                var (x, y, positive) = NextClick(truth, predicted, 240, 240);
                var mask = await rpc.CallAsync<MaskResult>("sessions/interact", new InteractParams
                {
                    SessionId = session.SessionId, Click = new ClickDto { X = x + 0.5, Y = y + 0.5, Positive = positive }, Format = "raw",
                });
                predicted = mask.Data!;
                ious.Add(IoU(truth, predicted));
            }
            output.WriteLine($"{Path.GetFileName(folder)} FLAIR slice {z}: tumour {truth.Count(t => t == 1)} px; graph-cut IoU after 1..5 clicks: {string.Join(", ", ious.Select(i => i.ToString("0.000")))}");
            Assert.True(predicted.Any(p => p != 0), "the mask is empty");
            Assert.True(ious.Max() > 0.5, $"best IoU {ious.Max():0.000}");
        }
    }

    [Fact]
    public async Task Volume_sessions_check_the_slice_and_are_restored_on_their_slice_after_kill_9()
    {
        var dir = Directory.CreateTempSubdirectory("segbridge-volumes").FullName;
        var state = Directory.CreateTempSubdirectory("segbridge-volume-state").FullName;
        var path = Path.Combine(dir, "cube.nii.gz");
        NiftiWriter.Write(CubeVolume(), path);
        var png = TestImages.DiskPngFile();
        var created = new List<(string Id, int Slice, byte[] Mask)>();

        var (engine, rpc) = EngineProcess.StartStdio("--state-dir", state); // the temp folder is a default root
        await using (engine)
        using (rpc)
        {
            await rpc.InitializeAsync();
            var byPath = await rpc.CallAsync<ImageInfo>("images/open", new OpenImageParams { Path = path });
            var byBytes = await rpc.CallAsync<ImageInfo>("images/open", new OpenImageParams { Encoded = File.ReadAllBytes(path), Name = "cube" });
            foreach (var info in new[] { byPath, byBytes })
            {
                Assert.Equal((60L, 50L, 20), (info.Width, info.Height, info.Depth!.Value));
                Assert.Equal([0.5, 0.5, 3.0], info.Spacing!);
            }
            var flat = await rpc.CallAsync<ImageInfo>("images/open", new OpenImageParams { Path = png });
            Assert.Null(flat.Depth);

            var missing = await rpc.ErrorAsync("sessions/create", new CreateSessionParams { ImageId = byPath.ImageId, ModelId = "graph-cut" });
            Assert.Equal(1003, missing.ErrorCode);
            Assert.Contains("60×50×20 volume: give the axial slice", missing.Message);
            foreach (var bad in new[] { -1, 20, int.MaxValue })
            {
                var outside = await rpc.ErrorAsync("sessions/create", new CreateSessionParams { ImageId = byPath.ImageId, ModelId = "graph-cut", Slice = bad });
                Assert.Equal(1003, outside.ErrorCode);
                Assert.Contains($"slice {bad} is outside the volume's 20 slices", outside.Message);
            }
            var flatSlice = await rpc.ErrorAsync("sessions/create", new CreateSessionParams { ImageId = flat.ImageId, ModelId = "graph-cut", Slice = 0 });
            Assert.Equal(1003, flatSlice.ErrorCode);
            Assert.Contains("slice is only for volumes", flatSlice.Message);
            var pngOfVolume = await rpc.ErrorAsync("images/png", new ImageIdParams { ImageId = byPath.ImageId });
            Assert.Equal(1003, pngOfVolume.ErrorCode);

            foreach (var (image, slice) in new[] { (byPath, 10), (byBytes, 12), (byPath, 2) })
            {
                var s = await rpc.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams { ImageId = image.ImageId, ModelId = "graph-cut", Slice = slice });
                var mask = await rpc.CallAsync<MaskResult>("sessions/interact", new InteractParams { SessionId = s.SessionId, Click = new ClickDto { X = 30, Y = 25 }, Format = "raw" });
                created.Add((s.SessionId, slice, mask.Data!));
            }
            // Slices 10 and 12 cut the cube (20×16 pixels), slice 2 lies below it: the same click gives different masks.
            Assert.InRange(created[0].Mask.Count(m => m != 0), 250, 400);
            Assert.Equal(created[0].Mask, created[1].Mask);
            Assert.NotEqual(created[0].Mask, created[2].Mask);
            engine.Process.Kill();
            await engine.Process.WaitForExitAsync();
        }

        var (restarted, rpc2) = EngineProcess.StartStdio("--state-dir", state); // the temp folder is a default root
        await using (restarted)
        using (rpc2)
        {
            await rpc2.InitializeAsync();
            var list = await rpc2.CallAsync<SessionListResult>("sessions/list", new EmptyParams());
            foreach (var (id, slice, mask) in created)
            {
                var info = Assert.Single(list.Sessions, s => s.SessionId == id);
                Assert.Equal(slice, info.Slice);
                var restored = await rpc2.CallAsync<MaskResult>("sessions/mask", new SessionParams { SessionId = id, Format = "raw" });
                Assert.Equal(1, restored.InteractionCount);
                Assert.Equal(mask, restored.Data);
            }
            output.WriteLine($"{created.Count} volume sessions (by path and by bytes) restored on slices {string.Join(", ", created.Select(c => c.Slice))} with the same masks");
        }
        Directory.Delete(dir, recursive: true);
        Directory.Delete(state, recursive: true);
    }

    /// <summary>60×50×20 int16, noise-free background 100, a 20×16×8 cube of 900 at x 20..39, y 17..32, z 8..15.</summary>
    private static Volume CubeVolume()
    {
        const int w = 60, h = 50, d = 20;
        var values = new short[w * h * d];
        for (int z = 0; z < d; z++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    values[(z * h + y) * w + x] = (short)(x is >= 20 and < 40 && y is >= 17 and < 33 && z is >= 8 and < 16 ? 900 : 100 + (x * 7 + y * 3) % 11);
        var header = new NiftiHeader
        {
            Dim = [3, w, h, d, 1, 1, 1, 1], DataType = (short)NiftiDataType.Int16, BitPix = 16,
            PixDim = [1, 0.5f, 0.5f, 3, 1, 1, 1, 1], QformCode = 1, XyztUnits = 2,
        };
        return new Volume(header, VoxelBuffer.Of(values));
    }

    private static (int X, int Y, bool Positive) NextClick(byte[] truth, byte[] predicted, int w, int h)
    {
        var fn = new byte[truth.Length];
        var fp = new byte[truth.Length];
        for (int i = 0; i < truth.Length; i++) { fn[i] = (byte)(truth[i] == 1 && predicted[i] == 0 ? 1 : 0); fp[i] = (byte)(truth[i] == 0 && predicted[i] != 0 ? 1 : 0); }
        var dFn = DistanceTransform.ToNearest(fn, w, h, target: false);
        var dFp = DistanceTransform.ToNearest(fp, w, h, target: false);
        int bestFn = ArgMax(dFn, fn), bestFp = ArgMax(dFp, fp);
        bool positive = bestFp < 0 || bestFn >= 0 && dFn[bestFn] > dFp[bestFp];
        int at = positive ? bestFn : bestFp;
        return (at % w, at / w, positive);
    }

    private static int ArgMax(float[] distance, byte[] inside)
    {
        int best = -1;
        for (int i = 0; i < distance.Length; i++)
            if (inside[i] == 1 && (best < 0 || distance[i] > distance[best])) best = i;
        return best;
    }

    private static double IoU(byte[] truth, byte[] predicted)
    {
        int inter = 0, union = 0;
        for (int i = 0; i < truth.Length; i++)
        {
            bool t = truth[i] != 0, p = predicted[i] != 0;
            if (t && p) inter++;
            if (t || p) union++;
        }
        return union == 0 ? 1 : (double)inter / union;
    }
}
