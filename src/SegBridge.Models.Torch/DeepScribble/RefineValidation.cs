using SegBridge.Models.Torch.Networks;
using SegBridge.Models.Torch.Training;
using static TorchSharp.torch;

namespace SegBridge.Models.Torch.DeepScribble;

/// <summary>
/// RefineNet's held-out curve: each held-out image at the size sessions use (longer side
/// <see cref="TrainingValidation.MaxSide"/>, cut to a multiple of 16), GuideNet's mask, then
/// <see cref="RefineTrainingOptions.ValidationRounds"/> robot scribbles each placed on the network's previous
/// answer, and the IoU after the last one (at network resolution). The guide's probabilities are computed once,
/// and so is <see cref="GuideIou"/>, the same images' IoU before any scribble: the curve's level alone cannot say
/// whether the scribbles help, the gap to this baseline does.
/// </summary>
internal sealed class RefineValidation : IDisposable
{
    /// <summary>One held-out image at network size with GuideNet's probability and mask, each computed once.</summary>
    private sealed record Item(Tensor Image, Tensor Probability, byte[] GuideMask, byte[] Truth, int Width, int Height);

    private readonly List<Item> _items = [];
    private readonly RefineTrainingOptions _options;
    private readonly CorrectionScribbles _scribbles;

    /// <summary>Mean IoU of GuideNet's masks on the held-out images (round 0, no scribble).</summary>
    public double GuideIou { get; }

    public RefineValidation(ClickNetwork guide, IReadOnlyList<TrainingSample> heldOut, RefineTrainingOptions options, Device device, CorrectionScribbles scribbles)
    {
        (_options, _scribbles) = (options, scribbles);
        using var _ = no_grad();
        foreach (var sample in heldOut)
        {
            using var scope = NewDisposeScope();
            var input = ImageTensors.FromRaster(sample.Image, TrainingValidation.MaxSide);
            int w = input.Width / 16 * 16, h = input.Height / 16 * 16;
            if (w == 0 || h == 0) continue;
            var image = input.Padded[.., .., ..h, ..w].contiguous().to(device);
            var probability = sigmoid(guide.forward(image, null));
            _items.Add(new Item(image.DetachFromDisposeScope(), probability.DetachFromDisposeScope(), RefineTrainer.Masks(probability, logits: false)[0], Downsampled(sample.Mask.Data, sample.Mask.Width, sample.Mask.Height, input.Scale, w, h), w, h));
        }
        GuideIou = _items.Select(item => Iou(item.GuideMask, item.Truth)).DefaultIfEmpty(double.NaN).Average();
    }

    public double MeanIou(ClickNetwork network, RefineTrainer trainer)
    {
        bool wasTraining = network.training;
        network.eval();
        try
        {
            using var _ = no_grad();
            return _items.Select(item => Iou(network, trainer, item)).DefaultIfEmpty(double.NaN).Average();
        }
        finally { if (wasTraining) network.train(); }
    }

    private double Iou(ClickNetwork network, RefineTrainer trainer, Item item)
    {
        var labels = new byte[item.Width * item.Height];
        var prediction = item.GuideMask;
        for (int round = 0; round < _options.ValidationRounds; round++)
        {
            if (!RefineTrainer.AddScribbles(_scribbles, prediction, item.Truth, labels, item.Width, item.Height)) break;
            using var scope = NewDisposeScope();
            prediction = RefineTrainer.Masks(network.forward(item.Image, trainer.Guidance(item.Probability, [labels], item.Width, item.Height)))[0];
        }
        return Iou(prediction, item.Truth);
    }

    private static double Iou(byte[] prediction, byte[] truth)
    {
        long both = 0, either = 0;
        for (int i = 0; i < prediction.Length; i++)
        {
            bool t = truth[i] != 0, p = prediction[i] != 0;
            if (t && p) both++;
            if (t || p) either++;
        }
        return either == 0 ? 1 : (double)both / either;
    }

    /// <summary>The mask at network resolution: each network pixel takes the stored pixel under its centre.</summary>
    private static byte[] Downsampled(byte[] mask, int width, int height, double scale, int w, int h)
    {
        var result = new byte[w * h];
        for (int y = 0; y < h; y++)
        {
            int sy = Math.Min(height - 1, (int)((y + 0.5) / scale));
            for (int x = 0; x < w; x++) result[y * w + x] = mask[sy * width + Math.Min(width - 1, (int)((x + 0.5) / scale))] != 0 ? (byte)1 : (byte)0;
        }
        return result;
    }

    public void Dispose()
    {
        foreach (var item in _items) { item.Image.Dispose(); item.Probability.Dispose(); }
    }
}
