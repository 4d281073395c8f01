using System.Diagnostics;
using SegBridge.Models.Torch.Networks;
using TorchSharp;
using static TorchSharp.torch;
using SegBridge.Models.Torch.Training;

namespace SegBridge.Models.Torch.Guide;

/// <summary>
/// The weak guide's options: each iteration is one pixel-level step and, with class samples, one image-level
/// step; the segmentation network is a guide (3 input channels).
/// </summary>
public sealed record WeakGuideTrainingOptions : CropTrainingOptions
{
    public WeakGuideTrainingOptions() => Network = new() { InputChannels = 3 };

    /// <summary>Weight of the cross-entropy of the image-level steps.</summary>
    public double ClassLossWeight { get; init; } = 1.0;
}

/// <summary>
/// Weakly supervised guide training after Ciga et al. (MedIA 2021): a guide network (DeepLabV3+ ResNet) with a
/// <see cref="ClassificationHead"/> on its segmentation output, trained by alternating (1) a pixel-level batch of
/// masked crops with the guide's own loss, the normalised focal loss on the segmentation logits (the head is not
/// involved), and (2) an image-level batch of labelled crops with cross-entropy over the classes computed through
/// segmentation network + head, so the class gradient reaches the network only through its mask. Without class
/// samples it is plain supervised training on the masked samples (the paper's S baseline). One Adam over network
/// and head, β = (0.9, 0.999), learning rate down to a tenth for the last sixth, as <see cref="ClickTrainer"/>.
/// The seed fixes the initial weights, the data order and the crops. The head is training-only and is returned
/// separately; only the network goes into the weights file, so it loads as a plain <c>torch/guide</c>.
/// </summary>
public sealed class WeakGuideTrainer(WeakGuideTrainingOptions options, Device device)
{
    public sealed record Progress(int Iteration, int Total, double SegmentationLoss, double ClassLoss, TimeSpan Elapsed);

    public (ClickNetwork Network, ClassificationHead? Head) Train(IReadOnlyList<TrainingSample> masked, IReadOnlyList<ClassSample> labelled, int classes,
        IProgress<Progress>? progress, CancellationToken ct)
    {
        if (masked.Count == 0) throw new ArgumentException("no pixel-level (masked) samples");
        if (options.Network.InputChannels != 3) throw new ArgumentException("a weak guide is an image-only network (3 input channels)");
        torch.manual_seed(options.Seed);
        var rng = new Random(options.Seed);
        var network = new ClickNetwork(options.Network);
        if (options.PretrainedBackbone is { } pretrained) ImageNetResNet18.LoadInto(network.Backbone, pretrained);
        var head = labelled.Count > 0 ? new ClassificationHead(classes) : null;
        network.to(device);
        head?.to(device);
        var parameters = head is null ? network.parameters() : network.parameters().Concat(head.parameters());
        var schedule = new StepDownAdam(parameters, options.LearningRate, options.Iterations, options.FinalShare);
        var optimizer = schedule.Optimizer;
        int size = options.CropSize;
        var sw = Stopwatch.StartNew();
        RunningLoss segSmoothed = new(0.98), classSmoothed = new(0.98);

        network.train();
        head?.train();
        for (int it = 0; it < options.Iterations; it++)
        {
            ct.ThrowIfCancellationRequested();
            schedule.StartIteration(it);

            using (var scope = NewDisposeScope())
            {
                var batch = Enumerable.Range(0, options.BatchSize).Select(_ =>
                {
                    var s = masked[rng.Next(masked.Count)];
                    return TrainingCrops.Random(s.Image, s.Mask, size, options.MinScale, options.MaxScale, rng);
                }).ToList();
                var images = cat(batch.Select(b => b.Image).ToList(), 0).to(device);
                var targets = TrainingCrops.Targets(batch.Select(b => b.Mask!), size).to(device);
                optimizer.zero_grad();
                var loss = NormalizedFocalLoss.Compute(network.forward(images, null), targets);
                loss.backward();
                optimizer.step();
                segSmoothed.Add(loss.item<float>());
            }

            if (head is not null)
            {
                using var scope = NewDisposeScope();
                var picks = Enumerable.Range(0, options.BatchSize).Select(_ => labelled[rng.Next(labelled.Count)]).ToList();
                var images = cat(picks.Select(s => TrainingCrops.Random(s.Image, null, size, options.MinScale, options.MaxScale, rng).Image).ToList(), 0).to(device);
                var labels = tensor(picks.Select(s => (long)s.ClassIndex).ToArray(), ScalarType.Int64).to(device);
                optimizer.zero_grad();
                var loss = Scalars.Of(options.ClassLossWeight) * nn.functional.cross_entropy(head.forward(network.forward(images, null)), labels);
                loss.backward();
                optimizer.step();
                classSmoothed.Add(loss.item<float>());
            }
            progress?.Report(new Progress(it + 1, options.Iterations, segSmoothed.Value, classSmoothed.Value, sw.Elapsed));
        }
        network.eval();
        head?.eval();
        return (network, head);
    }
}
