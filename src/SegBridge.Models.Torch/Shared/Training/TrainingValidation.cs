using SegBridge.Imaging.Rasters;
using SegBridge.Imaging.Geometry;
using SegBridge.Models.Torch.Brs;
using SegBridge.Models.Torch.Networks;
using static TorchSharp.torch;

namespace SegBridge.Models.Torch.Training;

/// <summary>
/// Held-out IoU while a click network or guide trains, so a run stops on evidence: each held-out image at the size
/// inference uses (longer side <see cref="MaxSide"/>, the manifests' maxSide), a click network given one positive
/// click at its object's most interior pixel (a guide none), the thresholded prediction against the full-size mask.
/// </summary>
public static class TrainingValidation
{
    public const int MaxSide = 400;

    public static double MeanIou(ClickNetwork network, IReadOnlyList<TrainingSample> samples, Device device)
    {
        bool wasTraining = network.training;
        network.eval();
        try
        {
            using var _ = no_grad();
            return samples.Select(s => Iou(network, s, device)).DefaultIfEmpty(double.NaN).Average();
        }
        finally { if (wasTraining) network.train(); }
    }

    private static double Iou(ClickNetwork network, TrainingSample sample, Device device)
    {
        using var scope = NewDisposeScope();
        var input = ImageTensors.FromRaster(sample.Image, MaxSide);
        Tensor? clicks = null;
        if (network.Config.InputChannels == 5)
        {
            var inside = DistanceTransform.InsideDistance(sample.Mask, padBorder: true);
            int best = Array.IndexOf(inside, inside.Max());
            var click = new ClickPoint((best % sample.Mask.Width + 0.5) * input.Scale, (best / sample.Mask.Width + 0.5) * input.Scale, true, 5);
            clicks = ClickEncoding.Encode([click], (int)input.Padded.shape[2], (int)input.Padded.shape[3], network.Config.ClickNormRadius).to(device);
        }
        var logits = network.forward(input.Padded.to(device), clicks)[.., .., ..input.Height, ..input.Width];
        var full = nn.functional.interpolate(logits, [sample.Mask.Height, sample.Mask.Width], mode: InterpolationMode.Bilinear, align_corners: false);
        var predicted = (full > Scalars.Of(0)).flatten().cpu().data<bool>().ToArray();
        long both = 0, either = 0;
        for (int i = 0; i < predicted.Length; i++)
        {
            bool truth = sample.Mask.Data[i] != 0;
            if (truth && predicted[i]) both++;
            if (truth || predicted[i]) either++;
        }
        return either == 0 ? 1 : (double)both / either;
    }
}
