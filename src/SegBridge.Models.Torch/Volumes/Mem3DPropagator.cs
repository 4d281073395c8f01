using System.Diagnostics;
using SegBridge.Imaging.Encodings;
using SegBridge.Imaging.Rasters;
using SegBridge.Imaging.Volumes;
using TorchSharp;
using static TorchSharp.torch;

namespace SegBridge.Models.Torch.Volumes;

/// <summary>
/// Bidirectional propagation (paper §2.1): from the newest interactive slice towards both ends of the volume,
/// each slice is segmented by f_Mem reading a memory of (a) every interactive slice of the session with its user
/// mask, (b) the previous slice with its predicted probability and (c) every N-th propagated slice (N = 5) of
/// this direction; f_QA scores each slice. An interactive slice met on the way keeps its user mask and becomes
/// the previous slice. f_Mem works on slices resized to SliceSize²; its logits are resized back to the volume's
/// slice size and thresholded at 0.5. Only per-slice RLE leaves the loop, so memory is bounded by one slice plus
/// the memory cells. Cancellation is checked and progress reported once per slice.
/// </summary>
public sealed class Mem3DPropagator(Mem3DNetwork network, Device device, int memoryEvery = 5)
{
    public int MemoryEvery { get; } = memoryEvery >= 1 ? memoryEvery : throw new ArgumentOutOfRangeException(nameof(memoryEvery), memoryEvery, "memoryEvery must be >= 1");

    public SegBridge.Models.VolumePropagation Propagate(Volume volume, IReadOnlyList<SegBridge.Models.InteractiveSlice> interactive, int start,
        IProgress<SegBridge.Models.VolumeProgress>? progress, CancellationToken ct)
    {
        int w = volume.Width, h = volume.Height, d = volume.Depth, size = network.Config.SliceSize;
        var user = new Dictionary<int, Mask>();
        foreach (var s in interactive)
        {
            volume.CheckSlice(s.Slice);
            if (s.Mask.Width != w || s.Mask.Height != h) throw new ArgumentException($"the mask of slice {s.Slice} is {s.Mask.Width}×{s.Mask.Height}; the volume's slices are {w}×{h}");
            user[s.Slice] = s.Mask;
        }
        if (!user.ContainsKey(start)) throw new ArgumentException($"start slice {start} is not one of the interactive slices ({string.Join(", ", user.Keys.Order())})");
        var sw = Stopwatch.StartNew();
        var rle = new int[d][];
        var quality = new float[d];
        var foreground = new long[d];
        int done = 0;
        using var scope = NewDisposeScope();
        var smallMasks = new Dictionary<int, Tensor>();
        foreach (var (z, mask) in user.OrderBy(kv => kv.Key))
        {
            smallMasks[z] = VolumeSlices.Small(Guidance.Plane(mask.Data, w, h), size).to(device);
            rle[z] = CocoRle.Encode(mask);
            quality[z] = 1;
            foreground[z] = mask.CountForeground();
            progress?.Report(new(++done, d, z, rle[z], foreground[z], 1));
        }
        PropagationWalk.Run(network, d, z => SmallSlice(volume, z), smallMasks, start, MemoryEvery, (z, features, logits) =>
        {
            var q = network.f_qa.forward(features, logits);
            var full = nn.functional.interpolate(logits, [h, w], mode: InterpolationMode.Bilinear, align_corners: false);
            var bytes = full.gt(0).to_type(ScalarType.Byte).cpu().data<byte>().ToArray();
            var mask = new Mask(w, h, bytes);
            rle[z] = CocoRle.Encode(mask);
            foreground[z] = mask.CountForeground();
            quality[z] = q.cpu().item<float>();
            progress?.Report(new(++done, d, z, rle[z], foreground[z], quality[z]));
        }, ct);
        var notes = FormattableString.Invariant($"Mem3D on {(device.type == DeviceType.CUDA ? "cuda" : "cpu")}: {d - user.Count} slices propagated from slice {start} with {user.Count} interactive slice(s) in memory, {sw.Elapsed.TotalSeconds:F1} s");
        return new(rle, quality, foreground, user.Keys.Order().ToArray(), sw.Elapsed.TotalSeconds, notes);
    }

    private Tensor SmallSlice(Volume volume, int z)
    {
        using var plane = VolumeSlices.Normalised(volume, z);
        return VolumeSlices.Small(plane, network.Config.SliceSize).to(device);
    }
}
