using SegBridge.Imaging.Rasters;
using SegBridge.Imaging.Volumes;
using SegBridge.Models;
using SegBridge.Imaging.Interactions;
using static TorchSharp.torch;
using SegBridge.Models.Torch.Mem3D;
using SegBridge.Tests.Support;

namespace SegBridge.Tests.Models.Torch.Mem3D;

/// <summary>Mem3D's networks with random weights: shapes, the memory read (eq. 4–6), guidance/ROI, propagation.</summary>
public sealed class Mem3DNetworkTests
{
    private static readonly Mem3DConfig Small = new() { SliceSize = 32, RoiSize = 32, Channels = 16 };

    [Fact]
    public void Every_part_has_the_papers_shapes()
    {
        manual_seed(1);
        using var net = new Mem3DNetwork(Small);
        net.eval();
        using var _ = no_grad();
        Assert.Equal([2L, 1, 32, 32], net.Interact(rand(2, 3, 32, 32)).shape);
        using var cell = net.Memorize(rand(2, 1, 32, 32), rand(2, 1, 32, 32));
        Assert.Equal([2L, 2, 4, 4], cell.Key.shape);    // C/8 = 2 key channels at stride 8
        Assert.Equal([2L, 8, 4, 4], cell.Value.shape);  // C/2 = 8 value channels
        var (logits, quality) = net.Segment(rand(2, 1, 32, 32), [cell, cell]);
        Assert.Equal([2L, 1, 32, 32], logits.shape);
        Assert.Equal([2L], quality.shape);
        Assert.All(quality.data<float>().ToArray(), q => Assert.InRange(q, 0f, 1f));
        Assert.False(logits.isnan().any().item<bool>(), "logits are NaN (GroupNorm not initialised?)");
    }

    [Fact]
    public void The_softmax_runs_over_all_memory_positions_of_all_memory_slices()
    {
        manual_seed(2);
        var query = randn(1, 4, 3, 5);
        var memory = randn(new long[] { 1, 3, 4, 3, 5 }); // 3 memory slices of 15 positions
        var weights = MemoryRead.Weights(query, memory, 20);
        Assert.Equal([1L, 45, 15], weights.shape);
        var sums = weights.sum(1);
        Assert.True(sums.allclose(ones_like(sums), 1e-5, 1e-5), "every query position's weights over the 45 memory positions must sum to 1");
    }

    [Fact]
    public void Reading_a_memory_whose_one_cell_has_the_query_key_returns_mostly_that_cells_value()
    {
        manual_seed(3);
        var query = randn(1, 8, 1, 1);
        var keys = randn(new long[] { 1, 1, 8, 4, 4 });
        keys[0, 0, TensorIndex.Colon, 2, 3] = query[0, TensorIndex.Colon, 0, 0] * 3; // same direction: cosine 1
        var values = randn(new long[] { 1, 1, 6, 4, 4 });
        var read = MemoryRead.Read(query, keys, values, 20);
        var expected = values[0, 0, TensorIndex.Colon, 2, 3];
        var got = read[0, TensorIndex.Colon, 0, 0];
        Assert.True(got.allclose(expected, 0.05, 0.05), $"read {string.Join(", ", got.data<float>().ToArray())}, cell value {string.Join(", ", expected.data<float>().ToArray())}");
        // Cosine, not dot product: scaling every memory key leaves the weights unchanged.
        Assert.True(MemoryRead.Weights(query, keys * 7, 20).allclose(MemoryRead.Weights(query, keys, 20), 1e-4, 1e-5));
    }

    [Fact]
    public void The_roi_is_the_input_box_enlarged_by_ten_percent_and_clipped()
    {
        Assert.Equal(new Roi(90, 40, 210, 160), Guidance.Enlarge10(new Roi(100, 50, 200, 150), GuidanceKind.Box, 240, 240));
        Assert.Equal(new Roi(84, 34, 216, 166), Guidance.Enlarge10(new Roi(100, 50, 200, 150), GuidanceKind.Scribble, 240, 240)); // at least 16 px for a scribble
        Assert.Equal(new Roi(0, 0, 24, 24), Guidance.Enlarge10(new Roi(0, 0, 20, 20), GuidanceKind.Box, 24, 24));
        var mask = new byte[20 * 10];
        for (int y = 3; y < 7; y++) for (int x = 5; x < 15; x++) mask[y * 20 + x] = 1;
        var points = Guidance.ExtremePoints(mask, 20, 10)!;
        Assert.Equal(5.5, points.Min(p => p.X));
        Assert.Equal(14.5, points.Max(p => p.X));
        var outline = Guidance.BoxOutline(new Roi(5, 2, 15, 9), 20, 10);
        Assert.Equal(0, outline[5 * 20 + 9]); // inside, more than 2 px from every side
        Assert.Equal(1, outline[3 * 20 + 9]); // on the 2-px top line
        Assert.Equal(0, outline[1 * 20 + 9]); // outside
    }

    [Fact]
    public void F_in_in_a_session_answers_a_box_a_scribble_and_extreme_points_with_a_slice_sized_mask()
    {
        manual_seed(4);
        using var net = new Mem3DNetwork(Small);
        net.eval();
        var model = new Mem3DModel(net, CPU, 5);
        var image = new ImageRaster(40, 30, 1, Enumerable.Range(0, 1200).Select(i => (byte)(i % 251)).ToArray());
        foreach (var interactions in new List<Interaction>[]
        {
            [new Box(5, 5, 20, 18)],
            [new Scribble([new PointD(8, 8), new PointD(15, 12)], true)],
            [new Click(5, 10, true), new Click(20, 10, true), new Click(12, 4, true), new Click(12, 18, true)],
        })
        {
            var result = model.Segment(image, interactions, new ModelSessionState(), CancellationToken.None);
            Assert.Equal((40, 30), (result.Mask.Width, result.Mask.Height));
            Assert.Equal(1200, result.Probability!.Length);
            // Outside the ROI of the first round the probability is 0.
            Assert.Equal(0f, result.Probability[29 * 40 + 39]);
        }
        // With the slice's previous mask as prior, f_In refines it: outside the ROI the prior stays.
        var state = new ModelSessionState { SlicePrior = Enumerable.Repeat(0.9f, 1200).ToArray() };
        var refined = model.Segment(image, [new Box(5, 5, 20, 18)], state, CancellationToken.None);
        Assert.Equal(0.9f, refined.Probability![29 * 40 + 39], 5);
        Assert.True(refined.Mask[39, 29], "a 0.9 prior outside the ROI is foreground");
    }

    [Fact]
    public void Propagation_covers_every_slice_keeps_the_interactive_mask_reports_progress_and_cancels()
    {
        manual_seed(5);
        using var net = new Mem3DNetwork(Small);
        net.eval();
        var volume = SyntheticVolumes.Sphere(40, 36, 12, 0, 0, 0);
        var truth = SyntheticVolumes.SphereMask(40, 36, 12, 6);
        var start = new InteractiveSlice(6, new Mask(40, 36, truth));
        var reports = new List<VolumeProgress>();
        var result = new Mem3DPropagator(net, CPU).Propagate(volume, [start], 6, null, new SyncProgress<VolumeProgress>(reports.Add), CancellationToken.None);
        Assert.Equal(12, result.SliceRle.Length);
        Assert.All(result.SliceRle, r => Assert.Equal(40 * 36, r.Sum()));
        Assert.Equal(1f, result.Quality[6]);
        Assert.Equal(truth, SegBridge.Imaging.Encodings.CocoRle.Decode(result.SliceRle[6], 40, 36).Data);
        Assert.Equal(12, reports.Count);
        Assert.Equal(12, reports[^1].Done);
        Assert.Equal([6], result.InteractiveSlices);

        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => new Mem3DPropagator(net, CPU).Propagate(volume, [start], 6, null, null, cts.Token));
        var e = Assert.Throws<ArgumentException>(() => new Mem3DPropagator(net, CPU).Propagate(volume, [start], 3, null, null, CancellationToken.None));
        Assert.Contains("start slice 3 is not one of the interactive slices", e.Message);
    }

    [Fact]
    public void A_later_round_repropagates_only_the_slices_nearest_its_slice_and_keeps_the_rest()
    {
        manual_seed(7);
        using var net = new Mem3DNetwork(Small);
        net.eval();
        const int w = 40, h = 36, d = 20;
        var volume = SyntheticVolumes.Sphere(w, h, d, 0, 0, 0);
        InteractiveSlice At(int z) => new(z, new Mask(w, h, SyntheticVolumes.SphereMask(w, h, d, z)));
        var propagator = new Mem3DPropagator(net, CPU);
        var first = propagator.Propagate(volume, [At(10)], 10, null, null, CancellationToken.None);
        // Round 2 on slice 16: slices 13..19 are nearer to 16 than to 10 (13 is a tie and goes to the new slice).
        Assert.Equal((13, 19), Mem3DPropagator.WalkRange(d, 16, [10, 16], first));
        var reports = new List<VolumeProgress>();
        var second = propagator.Propagate(volume, [At(10), At(16)], 16, first, new SyncProgress<VolumeProgress>(reports.Add), CancellationToken.None);
        var fresh = propagator.Propagate(volume, [At(10), At(16)], 16, null, null, CancellationToken.None);
        for (int z = 0; z < d; z++)
        {
            if (z == 16) continue;
            var expected = z >= 13 ? fresh : first; // 10 itself is the user's mask in all three
            Assert.Equal(expected.SliceRle[z], second.SliceRle[z]);
            Assert.Equal(expected.Quality[z], second.Quality[z]);
        }
        Assert.Equal(d, reports.Count);
        Assert.Equal(Enumerable.Range(0, d), reports.Select(r => r.Slice).Order());
        Assert.Contains("12 kept from the previous round", second.Notes);

        // Between two interactive slices a new one takes the slices up to each midpoint.
        var twoSlices = second with { InteractiveSlices = [2, 10] };
        Assert.Equal((4, 7), Mem3DPropagator.WalkRange(d, 5, [2, 5, 10], twoSlices));
        Assert.Equal((0, d - 1), Mem3DPropagator.WalkRange(d, 5, [5], null));
        var stale = Assert.Throws<ArgumentException>(() => propagator.Propagate(volume, [At(16)], 16, second, null, CancellationToken.None));
        Assert.Contains("interactive slice(s) 10 that this round lacks", stale.Message);
    }

    [Fact]
    public void A_512x512x300_propagation_keeps_per_slice_rle_not_a_dense_volume()
    {
        manual_seed(6);
        using var net = new Mem3DNetwork(Small);
        net.eval();
        const int w = 512, h = 512, d = 300;
        var voxels = new byte[(long)w * h * d];
        for (int z = 100; z < 200; z++)
            for (int y = 200; y < 300; y++)
                Array.Fill(voxels, (byte)200, (z * h + y) * w + 200, 100);
        var header = new NiftiHeader { Dim = [3, w, h, d, 1, 1, 1, 1], DataType = (short)NiftiDataType.UInt8, BitPix = 8, PixDim = [1, 0.7f, 0.7f, 1, 1, 1, 1, 1] };
        var volume = new Volume(header, VoxelBuffer.Of(voxels));
        var start = new Mask(w, h, Enumerable.Range(0, w * h).Select(i => (byte)(i / w is >= 200 and < 300 && i % w is >= 200 and < 300 ? 1 : 0)).ToArray());
        var result = new Mem3DPropagator(net, CPU).Propagate(volume, [new InteractiveSlice(150, start)], 150, null, null, CancellationToken.None);
        long rleBytes = result.SliceRle.Sum(r => (long)r.Length * 4);
        Assert.Equal(d, result.SliceRle.Length);
        // A dense float mask would be 315 MB and a byte mask 79 MB; the result holds per-slice RLE only (a process-wide
        // heap measurement is not used: xUnit runs other test classes in parallel in this process).
        Assert.True(rleBytes < 16L << 20, $"{rleBytes >> 20} MB of RLE");
        Assert.Equal(d, result.Quality.Length);
    }

    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
