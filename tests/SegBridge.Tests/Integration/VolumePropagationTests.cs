using SegBridge.Imaging.Encodings;
using SegBridge.Imaging.Volumes;
using SegBridge.Protocol.Messages;
using SegBridge.Tests.Support;
using SegBridge.Tests.Volumes;
using Xunit.Abstractions;
using SegBridge.Models.Torch.Mem3D;

namespace SegBridge.Tests.Integration;

/// <summary>
/// volumes/propagate and volumes/suggest through the real executable with the shipped mem3d-brats weights: on a
/// synthetic sphere volume the test writes itself (no data needed) and on a held-out BraTS case.
/// </summary>
public sealed class VolumePropagationTests(ITestOutputHelper output)
{
    private static string Weights => Path.Combine(RepoPaths.Root, "plugin-manifests", "weights", "mem3d-brats.safetensors");

    [SkippableFact]
    public async Task A_synthetic_volume_is_propagated_as_per_slice_rle_and_nifti_and_the_lowest_score_is_suggested()
    {
        Skip.If(!File.Exists(Weights), $"no {Weights}");
        var dir = Directory.CreateTempSubdirectory("segbridge-mem3d").FullName;
        var path = Path.Combine(dir, "sphere.nii.gz");
        const int w = 64, h = 60, d = 16;
        NiftiWriter.Write(SyntheticVolumes.Sphere(w, h, d, 0, 0, 0), path);
        var truth = SyntheticVolumes.SphereMask(w, h, d, -1);

        var (engine, rpc) = EngineProcess.StartStdio("--threads", "1");
        await using (engine)
        using (rpc)
        {
            await rpc.InitializeAsync();
            var img = await rpc.CallAsync<ImageInfo>("images/open", new OpenImageParams { Path = path });
            var flat = await rpc.CallAsync<ImageInfo>("images/open", new OpenImageParams { Path = TestImages.DiskPngFile() });
            var s8 = await rpc.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams { ImageId = img.ImageId, ModelId = "mem3d-brats", Slice = 8 });

            // Before any interaction the mask is empty: nothing to propagate.
            var empty = await rpc.ErrorAsync("volumes/propagate", new PropagateVolumeParams { SessionId = s8.SessionId });
            Assert.Equal(1003, empty.ErrorCode);
            Assert.Contains("is empty", empty.Message);
            var notYet = await rpc.ErrorAsync("volumes/suggest", new SuggestSliceParams { SessionId = s8.SessionId });
            Assert.Contains("call volumes/propagate first", notYet.Message);

            var mask = await rpc.CallAsync<MaskResult>("sessions/interact", new InteractParams { SessionId = s8.SessionId, Box = new BoxDto { X0 = 14, Y0 = 12, X1 = 50, Y1 = 48 }, Format = "raw" });
            Assert.True(mask.ForegroundPixels > 0, "the box gave an empty mask");
            var badFormat = await rpc.ErrorAsync("volumes/propagate", new PropagateVolumeParams { SessionId = s8.SessionId, Format = "png" });
            Assert.Equal(1003, badFormat.ErrorCode);
            Assert.Contains("allowed: rle, nifti", badFormat.Message);

            var result = await rpc.CallAsync<PropagateVolumeResult>("volumes/propagate", new PropagateVolumeParams { SessionId = s8.SessionId });
            Assert.Equal((w, h, d, 8), (result.Width, result.Height, result.Depth, result.StartSlice));
            Assert.Equal([8], result.InteractiveSlices);
            Assert.Equal(d, result.Slices!.Length);
            Assert.Equal(d, result.Quality.Length);
            Assert.All(result.Quality, q => Assert.InRange(q, 0, 1));
            Assert.Equal(mask.Data, CocoRle.Decode(result.Slices[8].Rle.Counts, w, h).Data);
            var predicted = result.Slices.SelectMany(s => CocoRle.Decode(s.Rle.Counts, w, h).Data).ToArray();
            double dice = Dice(predicted, truth);
            output.WriteLine($"synthetic sphere: Dice {dice:0.000} after one box on slice 8; quality {string.Join(" ", result.Quality.Select(q => q.ToString("0.00")))}; {result.ModelMs} ms; {result.Notes}");

            var suggestion = await rpc.CallAsync<SuggestSliceResult>("volumes/suggest", new SuggestSliceParams { SessionId = s8.SessionId });
            Assert.NotEqual(8, suggestion.Slice);
            Assert.Equal(result.SuggestedSlice, suggestion.Slice);
            Assert.Equal("lowestQuality", suggestion.Rank);
            Assert.Equal(result.Quality.Where((_, z) => z != 8 && (result.Slices[z].ForegroundPixels > 0 || result.Slices.Where((s, k) => k != 8).All(s => s.ForegroundPixels == 0))).Min(), suggestion.Quality, 4);

            // Ranked by expected wrong pixels: mask pixels × (1 − q) / q, the largest among segmented slices.
            var byErrors = await rpc.CallAsync<SuggestSliceResult>("volumes/suggest", new SuggestSliceParams { SessionId = s8.SessionId, Rank = "mostExpectedErrors" });
            Assert.Equal("mostExpectedErrors", byErrors.Rank);
            double Expected(int z) => result.Slices[z].ForegroundPixels * (1 - Math.Max(0.05, result.Quality[z])) / Math.Max(0.05, result.Quality[z]);
            var segmented = Enumerable.Range(0, d).Where(z => z != 8 && result.Slices[z].ForegroundPixels > 0).ToList();
            if (segmented.Count > 0)
            {
                Assert.Equal(segmented.Max(Expected), byErrors.ExpectedErrors!.Value, 0);
                Assert.Equal(Expected(byErrors.Slice), byErrors.ExpectedErrors!.Value, 0);
            }
            var badRank = await rpc.ErrorAsync("volumes/suggest", new SuggestSliceParams { SessionId = s8.SessionId, Rank = "worst" });
            Assert.Equal(1003, badRank.ErrorCode);
            Assert.Contains("rank", badRank.Message);
            Assert.Contains("lowestQuality, mostExpectedErrors", badRank.Message);

            // NIfTI bytes: same grid as the source, same voxels as the per-slice RLE.
            var nifti = await rpc.CallAsync<PropagateVolumeResult>("volumes/propagate", new PropagateVolumeParams { SessionId = s8.SessionId, Format = "nifti" });
            Assert.Null(nifti.Slices);
            var maskVolume = NiftiReader.Read(nifti.Nifti!, long.MaxValue, long.MaxValue);
            Assert.Equal((w, h, d), (maskVolume.Width, maskVolume.Height, maskVolume.Depth));
            Assert.Equal((1.0, 1.0, 2.0), maskVolume.Spacing);
            Assert.Equal(predicted, Enumerable.Range(0, d).SelectMany(z => maskVolume.SliceAsFloat(z).Select(v => (byte)v)).ToArray());

            // A second round on another slice re-propagates with both slices in memory.
            var s5 = await rpc.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams { ImageId = img.ImageId, ModelId = "mem3d-brats", Slice = 5 });
            await rpc.CallAsync<MaskResult>("sessions/interact", new InteractParams { SessionId = s5.SessionId, Box = new BoxDto { X0 = 16, Y0 = 14, X1 = 48, Y1 = 46 } });
            var second = await rpc.CallAsync<PropagateVolumeResult>("volumes/propagate", new PropagateVolumeParams { SessionId = s5.SessionId });
            Assert.Equal([5, 8], second.InteractiveSlices);
            Assert.Equal(1.0, second.Quality[8]);
            var again = await rpc.CallAsync<SuggestSliceResult>("volumes/suggest", new SuggestSliceParams { SessionId = s8.SessionId });
            Assert.DoesNotContain(again.Slice, new[] { 5, 8 });

            // After a first round an empty slice is a correction ("no object here"): slice 0 is cleared with an
            // all-background label image and propagated; the slices nearer to it than to slice 5 change, the rest stay.
            var s0 = await rpc.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams { ImageId = img.ImageId, ModelId = "mem3d-brats", Slice = 0 });
            var cleared = await rpc.CallAsync<MaskResult>("sessions/interact", new InteractParams { SessionId = s0.SessionId, Labels = new LabelsDto { Raw = Enumerable.Repeat((byte)2, w * h).ToArray() }, Format = "raw" });
            Assert.Equal(0, cleared.ForegroundPixels);
            var third = await rpc.CallAsync<PropagateVolumeResult>("volumes/propagate", new PropagateVolumeParams { SessionId = s0.SessionId });
            Assert.Equal([0, 5, 8], third.InteractiveSlices);
            Assert.Equal(0, third.Slices![0].ForegroundPixels);
            for (int z = 3; z < d; z++)
                Assert.Equal(second.Slices![z].Rle.Counts, third.Slices[z].Rle.Counts);
            Assert.Contains("kept from the previous round", third.Notes);

            // Sessions that cannot propagate say why, naming the field.
            var cut = await rpc.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams { ImageId = img.ImageId, ModelId = "graph-cut", Slice = 8 });
            var wrongModel = await rpc.ErrorAsync("volumes/propagate", new PropagateVolumeParams { SessionId = cut.SessionId });
            Assert.Equal(1003, wrongModel.ErrorCode);
            Assert.Contains("cannot propagate through a volume", wrongModel.Message);
            Assert.Contains("mem3d-brats", wrongModel.Message);
            var flatSession = await rpc.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams { ImageId = flat.ImageId, ModelId = "graph-cut" });
            var notVolume = await rpc.ErrorAsync("volumes/suggest", new SuggestSliceParams { SessionId = flatSession.SessionId });
            Assert.Contains("is on a 2D image", notVolume.Message);
            var unknown = await rpc.ErrorAsync("volumes/propagate", new PropagateVolumeParams { SessionId = "ses-999" });
            Assert.Contains("unknown session", unknown.Message);
        }
        Directory.Delete(dir, recursive: true);
    }

    [SkippableFact]
    public async Task A_held_out_brats_case_is_propagated_from_one_box()
    {
        Skip.If(!File.Exists(Weights), $"no {Weights}");
        Skip.If(RepoPaths.Data is null || !Directory.Exists(Path.Combine(RepoPaths.Data, "brats")), RepoPaths.NoDataMessage);
        // The last case (sorted) is held out of training (see plugin-manifests/weights/mem3d-brats.training.json).
        var folder = Directory.GetDirectories(Path.Combine(RepoPaths.Data!, "brats")).Order(StringComparer.Ordinal).Last();
        var labels = NiftiReader.ReadFile(Path.Combine(folder, "OTMultiClass.nii.gz"), long.MaxValue, long.MaxValue);
        var truth = Enumerable.Range(0, labels.Depth).SelectMany(z => labels.SliceAsFloat(z).Select(v => v > 0 ? (byte)1 : (byte)0)).ToArray();
        int n = labels.SlicePixels;
        int z0 = Enumerable.Range(0, labels.Depth).MaxBy(z => truth.AsSpan(z * n, n).Count((byte)1));
        var box = SegBridge.Models.Torch.Mem3D.Guidance.Bounds(truth.AsSpan(z0 * n, n).ToArray(), labels.Width, labels.Height)!.Value;

        var (engine, rpc) = EngineProcess.StartStdio("--threads", "1", "--allow-root", folder);
        await using (engine)
        using (rpc)
        {
            await rpc.InitializeAsync();
            var img = await rpc.CallAsync<ImageInfo>("images/open", new OpenImageParams { Path = Path.Combine(folder, "Flair_subtrMeanDivStd.nii.gz") });
            var s = await rpc.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams { ImageId = img.ImageId, ModelId = "mem3d-brats", Slice = z0 });
            var mask = await rpc.CallAsync<MaskResult>("sessions/interact", new InteractParams { SessionId = s.SessionId, Box = new BoxDto { X0 = box.X0, Y0 = box.Y0, X1 = box.X1, Y1 = box.Y1 }, Format = "raw" });
            double sliceDice = Dice(mask.Data!, truth.AsSpan(z0 * n, n).ToArray());
            var result = await rpc.CallAsync<PropagateVolumeResult>("volumes/propagate", new PropagateVolumeParams { SessionId = s.SessionId });
            var predicted = result.Slices!.SelectMany(x => CocoRle.Decode(x.Rle.Counts, labels.Width, labels.Height).Data).ToArray();
            double dice = Dice(predicted, truth);
            output.WriteLine($"{Path.GetFileName(folder)}: box on slice {z0}: slice Dice {sliceDice:0.000}, volume Dice {dice:0.000} after propagation ({result.ModelMs / 1000:0.0} s, {result.Notes}); suggested slice {result.SuggestedSlice}");
            Assert.True(sliceDice > 0.5, $"f_In slice Dice {sliceDice:0.000}");
            Assert.True(dice > 0.3, $"volume Dice {dice:0.000}");

            // The same slice from the tumour's four extreme points (the eval robot's, from the truth).
            var e = await rpc.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams { ImageId = img.ImageId, ModelId = "mem3d-brats", Slice = z0 });
            var points = SegBridge.Eval.Volumes.VolumeSliceRobot.Extremes(truth.AsSpan(z0 * n, n).ToArray(), labels.Width, labels.Height).Select(p => new[] { p.X + 0.5, p.Y + 0.5 }).ToArray();
            var fromPoints = await rpc.CallAsync<MaskResult>("sessions/interact", new InteractParams { SessionId = e.SessionId, ExtremePoints = new ExtremePointsDto { Points = points }, Format = "raw" });
            double pointsDice = Dice(fromPoints.Data!, truth.AsSpan(z0 * n, n).ToArray());
            output.WriteLine($"extreme points on slice {z0}: slice Dice {pointsDice:0.000}");
            Assert.True(pointsDice > 0.5, $"f_In slice Dice from extreme points {pointsDice:0.000}");
        }
    }

    private static double Dice(byte[] a, byte[] b)
    {
        long inter = 0, sum = 0;
        for (int i = 0; i < a.Length; i++) { if (a[i] != 0 && b[i] != 0) inter++; sum += (a[i] != 0 ? 1 : 0) + (b[i] != 0 ? 1 : 0); }
        return sum == 0 ? 1 : 2.0 * inter / sum;
    }
}
