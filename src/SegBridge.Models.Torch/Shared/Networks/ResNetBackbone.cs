using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SegBridge.Models.Torch.Networks;

/// <summary>
/// ResNet-18/34/50/101 as in torchvision (same parameter names), with the last stage dilated instead of strided
/// so the output stride is 16, as DeepLabV3+ uses it. Returns the stride-4 features (layer1) for the decoder and
/// the stride-16 features (layer4) for ASPP. <c>blocks</c> overrides the depth's block counts (the ImageNet
/// ResNet-18 served here has [2, 2, 2, 3]); <c>dilateLastStage: false</c> gives the classifier's layout (stride 32).
/// </summary>
public sealed class ResNetBackbone : Module<Tensor, (Tensor LowLevel, Tensor High)>
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Sequential layer1, layer2, layer3, layer4;

    public int LowLevelChannels { get; }
    public int OutChannels { get; }

    public ResNetBackbone(int depth, int width, int[]? blocks = null, bool dilateLastStage = true) : base("backbone")
    {
        var (bottleneck, depthBlocks) = depth switch
        {
            18 => (false, new[] { 2, 2, 2, 2 }),
            34 => (false, new[] { 3, 4, 6, 3 }),
            50 => (true, new[] { 3, 4, 6, 3 }),
            101 => (true, new[] { 3, 4, 23, 3 }),
            _ => throw new ArgumentException($"depth is {depth}; allowed: 18, 34, 50, 101"),
        };
        blocks ??= depthBlocks;
        if (blocks.Length != 4 || blocks.Any(b => b is < 1 or > 64)) throw new ArgumentException($"blocks is [{string.Join(", ", blocks)}]; four stages of 1 to 64 blocks");
        int expansion = bottleneck ? 4 : 1;
        conv1 = Conv2d(3, width, 7, stride: 2, padding: 3, bias: false);
        bn1 = BatchNorm2d(width);
        int inPlanes = width;
        layer1 = MakeLayer(ref inPlanes, width, blocks[0], 1, 1, bottleneck);
        layer2 = MakeLayer(ref inPlanes, width * 2, blocks[1], 2, 1, bottleneck);
        layer3 = MakeLayer(ref inPlanes, width * 4, blocks[2], 2, 1, bottleneck);
        layer4 = dilateLastStage ? MakeLayer(ref inPlanes, width * 8, blocks[3], 1, 2, bottleneck) : MakeLayer(ref inPlanes, width * 8, blocks[3], 2, 1, bottleneck);
        LowLevelChannels = width * expansion;
        OutChannels = width * 8 * expansion;
        RegisterComponents();
    }

    private static Sequential MakeLayer(ref int inPlanes, int planes, int count, int stride, int dilation, bool bottleneck)
    {
        int expansion = bottleneck ? 4 : 1;
        var blocks = new List<(string, Module<Tensor, Tensor>)>();
        for (int i = 0; i < count; i++)
        {
            int s = i == 0 ? stride : 1;
            bool project = i == 0 && (s != 1 || inPlanes != planes * expansion);
            blocks.Add((i.ToString(), bottleneck
                ? new BottleneckBlock(inPlanes, planes, s, dilation, project)
                : new BasicBlock(inPlanes, planes, s, dilation, project)));
            inPlanes = planes * expansion;
        }
        return Sequential(blocks);
    }

    public override (Tensor LowLevel, Tensor High) forward(Tensor x) => Forward(x, null);

    /// <summary>
    /// Every convolution with its norm in the order a classifier export lists them: the stem, then per block its
    /// projection (when it has one), conv1 and conv2. Basic blocks only.
    /// </summary>
    public IEnumerable<ConvNorm> ConvNorms()
    {
        yield return new ConvNorm("conv1", conv1, bn1);
        foreach (var (layer, name) in new[] { (layer1, "layer1"), (layer2, "layer2"), (layer3, "layer3"), (layer4, "layer4") })
            foreach (var (index, module) in layer.named_children())
            {
                if (module is not BasicBlock block) throw new NotSupportedException("only basic-block ResNets list their convolutions");
                foreach (var pair in block.ConvNorms($"{name}.{index}")) yield return pair;
            }
    }

    /// <summary>As <see cref="forward"/>, with <paramref name="stemAddition"/> (N, width, H/2, W/2) added to the stem convolution's output before its norm (how guidance enters a pretrained stem).</summary>
    public (Tensor LowLevel, Tensor High) Forward(Tensor x, Tensor? stemAddition)
    {
        using var scope = NewDisposeScope();
        var stem = conv1.forward(x);
        if (stemAddition is not null) stem = stem.Plus(stemAddition);
        var y = functional.max_pool2d(functional.relu(bn1.forward(stem)), 3, 2, 1);
        var low = layer1.forward(y);
        var high = layer4.forward(layer3.forward(layer2.forward(low)));
        return (low.MoveToOuterDisposeScope(), high.MoveToOuterDisposeScope());
    }
}

/// <summary>A convolution and the norm that follows it, as a weight import walks them.</summary>
public sealed record ConvNorm(string Name, Conv2d Conv, BatchNorm2d Norm);

/// <summary>torchvision's BasicBlock (two 3×3 convolutions), with dilation for the output-stride-16 last stage.</summary>
internal sealed class BasicBlock : Module<Tensor, Tensor>
{
    private readonly Conv2d conv1, conv2;
    private readonly BatchNorm2d bn1, bn2;
    private readonly Sequential? downsample;

    public BasicBlock(int inPlanes, int planes, int stride, int dilation, bool project) : base("basic")
    {
        conv1 = Conv2d(inPlanes, planes, 3, stride: stride, padding: dilation, dilation: dilation, bias: false);
        bn1 = BatchNorm2d(planes);
        conv2 = Conv2d(planes, planes, 3, padding: dilation, dilation: dilation, bias: false);
        bn2 = BatchNorm2d(planes);
        if (project) downsample = Sequential(("0", Conv2d(inPlanes, planes, 1, stride: stride, bias: false)), ("1", BatchNorm2d(planes)));
        RegisterComponents();
    }

    public IEnumerable<ConvNorm> ConvNorms(string prefix)
    {
        if (downsample is not null) yield return new ConvNorm(prefix + ".downsample", (Conv2d)downsample[0], (BatchNorm2d)downsample[1]);
        yield return new ConvNorm(prefix + ".conv1", conv1, bn1);
        yield return new ConvNorm(prefix + ".conv2", conv2, bn2);
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = bn2.forward(conv2.forward(functional.relu(bn1.forward(conv1.forward(x)))));
        var identity = downsample is null ? x : downsample.forward(x);
        return functional.relu(y.Plus(identity)).MoveToOuterDisposeScope();
    }
}

/// <summary>torchvision's Bottleneck (1×1, 3×3, 1×1 with 4× expansion; stride on the 3×3 as in ResNet v1.5).</summary>
internal sealed class BottleneckBlock : Module<Tensor, Tensor>
{
    private readonly Conv2d conv1, conv2, conv3;
    private readonly BatchNorm2d bn1, bn2, bn3;
    private readonly Sequential? downsample;

    public BottleneckBlock(int inPlanes, int planes, int stride, int dilation, bool project) : base("bottleneck")
    {
        conv1 = Conv2d(inPlanes, planes, 1, bias: false);
        bn1 = BatchNorm2d(planes);
        conv2 = Conv2d(planes, planes, 3, stride: stride, padding: dilation, dilation: dilation, bias: false);
        bn2 = BatchNorm2d(planes);
        conv3 = Conv2d(planes, planes * 4, 1, bias: false);
        bn3 = BatchNorm2d(planes * 4);
        if (project) downsample = Sequential(("0", Conv2d(inPlanes, planes * 4, 1, stride: stride, bias: false)), ("1", BatchNorm2d(planes * 4)));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = functional.relu(bn1.forward(conv1.forward(x)));
        y = functional.relu(bn2.forward(conv2.forward(y)));
        y = bn3.forward(conv3.forward(y));
        var identity = downsample is null ? x : downsample.forward(x);
        return functional.relu(y.Plus(identity)).MoveToOuterDisposeScope();
    }
}
