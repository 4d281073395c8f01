using System.Diagnostics;
using SegBridge.Imaging.Interactions;
using SegBridge.Imaging.Rasters;
using SegBridge.Imaging.Volumes;
using TorchSharp;
using static TorchSharp.torch;

namespace SegBridge.Models.Torch.Mem3D;

/// <summary>
/// The Mem3D model as the engine sees it: in a session on one axial slice it is f_In
/// (<see cref="SliceInteraction"/>); over the volume it is f_Mem + f_QA (<see cref="Mem3DPropagator"/>).
/// </summary>
public sealed class Mem3DModel(Mem3DNetwork network, Device device, int memoryEvery) : ISegmentationModel, IVolumeModel, IDeviceBound, IChannelBound
{
    public string Device => device.type == DeviceType.CUDA ? "cuda" : "cpu";
    public Mem3DNetwork Network => network;
    /// <summary>f_In and f_Mem read one grey channel per slice (FLAIR).</summary>
    public IReadOnlyList<int> Channels { get; } = [1];

    public SegmentationResult Segment(ImageRaster image, IReadOnlyList<Interaction> interactions, ModelSessionState state, CancellationToken cancellationToken)
    {
        var sw = Stopwatch.StartNew();
        var prior = state.SlicePrior;
        var (probability, notes) = new SliceInteraction(network, device).Run(image, interactions, prior);
        return new SegmentationResult(Mask.FromProbability(probability, image.Width, image.Height), probability,
            FormattableString.Invariant($"{notes} on {Device}, {sw.Elapsed.TotalMilliseconds:F0} ms"));
    }

    public VolumePropagation Propagate(Volume volume, IReadOnlyList<InteractiveSlice> interactive, int start, VolumePropagation? previous,
        IProgress<VolumeProgress>? progress, CancellationToken cancellationToken)
        => new Mem3DPropagator(network, device, memoryEvery).Propagate(volume, interactive, start, previous, progress, cancellationToken);
}
