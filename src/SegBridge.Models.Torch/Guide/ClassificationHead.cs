using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using SegBridge.Models.Torch.Networks;

namespace SegBridge.Models.Torch.Guide;

/// <summary>
/// The classification layer on top of the segmentation output (Ciga et al., "Learning to segment images with
/// classification labels", MedIA 2021): segmentation logits (N,1,H,W) → sigmoid probability map → two stride-2
/// 3×3 convolutions (1→16→32, BN + ReLU) → global average pool, plus the map's mean foreground share as one more
/// feature → a linear layer to the class logits (N,C).
/// <para>
/// The head sees nothing but the probability map, never the encoder's features. That is the point: the only way
/// an image-level label can lower the classification loss is by changing the segmentation map, so the class
/// gradient flows back through the map into the segmentation network and shapes the mask (what the region looks
/// like, how much of the patch it covers), instead of training a side branch that the mask never feels.
/// </para>
/// The head is used only in training; the shipped weights hold the segmentation network alone.
/// </summary>
public sealed class ClassificationHead : Module<Tensor, Tensor>
{
    private readonly Sequential features;
    private readonly Linear classifier;

    public int Classes { get; }

    public ClassificationHead(int classes) : base("classification_head")
    {
        if (classes < 2) throw new ArgumentException($"classes is {classes}; a classification head needs at least 2");
        Classes = classes;
        features = Sequential(
            ("0", Conv2d(1, 16, 3, stride: 2, padding: 1, bias: false)), ("1", BatchNorm2d(16)), ("2", ReLU()),
            ("3", Conv2d(16, 32, 3, stride: 2, padding: 1, bias: false)), ("4", BatchNorm2d(32)), ("5", ReLU()));
        classifier = Linear(32 + 1, classes);
        RegisterComponents();
    }

    /// <summary>Segmentation logits (N,1,H,W) → class logits (N,C).</summary>
    public override Tensor forward(Tensor segmentationLogits)
    {
        using var scope = NewDisposeScope();
        if (segmentationLogits.dim() != 4 || segmentationLogits.shape[1] != 1)
            throw new ArgumentException($"the head takes segmentation logits (N,1,H,W); got [{string.Join(",", segmentationLogits.shape)}]");
        var probability = sigmoid(segmentationLogits);
        var pooled = features.forward(probability).mean([2, 3]);
        var share = probability.mean([1, 2, 3]).unsqueeze(1);
        return classifier.forward(cat([pooled, share], 1)).MoveToOuterDisposeScope();
    }
}
