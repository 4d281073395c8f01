using System.Security.Cryptography;
using SegBridge.Models.Torch.Weights;
using static TorchSharp.torch;

namespace SegBridge.Models.Torch.Networks;

/// <summary>
/// The ImageNet-trained ResNet-18 that NuGet serves (Microsoft.ML.DnnImageFeaturizer.ResNet18 0.24.0, MIT; a
/// CNTK 2.6 export without the classifier), copied beside the executable as pretrained/ResNet18.onnx. Its graph is
/// a torchvision-style ResNet with basic blocks [2, 2, 2, 3] at width 64, each convolution followed by
/// BatchNormalization; its input is BGR in 0–255 minus the package's mean image. This class is the one place
/// that knows that layout and that input convention.
/// </summary>
public static class ImageNetResNet18
{
    /// <summary>As `--backbone` and the network config spell it.</summary>
    public const string Id = "imagenet-resnet18";
    public const int Width = 64;
    public const int Depth = 18;
    public static readonly int[] Blocks = [2, 2, 2, 3];

    /// <summary>The per-channel means (B, G, R) of the package's mean image (ResNetPreprocess.onnx, 1×3×224×224).</summary>
    public static readonly float[] BgrMean = [103.06262f, 115.902885f, 123.15163f];

    /// <summary>Where the build puts the file.</summary>
    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, "pretrained", "ResNet18.onnx");

    /// <summary>
    /// The engine's image tensor (RGB, ImageNet mean/std normalised, see <see cref="ImageTensors"/>) as this
    /// network's input: BGR in 0–255 minus the channel means.
    /// </summary>
    public static Tensor FromNormalizedRgb(Tensor rgb)
    {
        using var scope = NewDisposeScope();
        var channels = new Tensor[3];
        for (int bgr = 0; bgr < 3; bgr++)
        {
            int c = 2 - bgr;
            channels[bgr] = (rgb[.., c..(c + 1)] * Scalars.Of(ImageTensors.ChannelStd[c])).Plus(Scalars.Of(ImageTensors.ChannelMean[c])) * Scalars.Of(255f) - Scalars.Of(BgrMean[bgr]);
        }
        return cat(channels, 1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Copies the file's convolutions and norms, in graph order, into <paramref name="backbone"/> (which must be
    /// built with <see cref="Blocks"/> at <see cref="Width"/>); returns the file's sha256 for the training record.
    /// Any mismatch of operator sequence or shape is refused with <see cref="InvalidDataException"/>, so a wrong
    /// or changed file fails loudly instead of training from a scrambled start.
    /// </summary>
    public static string LoadInto(ResNetBackbone backbone, string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"the ImageNet ResNet-18 is not at {path} (the build copies it from the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18)", path);
        var bytes = File.ReadAllBytes(path);
        var pairs = ConvNormPairs(OnnxGraph.Parse(bytes, Path.GetFileName(path)), Path.GetFileName(path));
        var targets = backbone.ConvNorms().ToList();
        if (pairs.Count != targets.Count)
            throw new InvalidDataException($"{Path.GetFileName(path)} has {pairs.Count} convolution + norm pairs; the ResNet-18 [{string.Join(", ", Blocks)}] layout has {targets.Count}");
        using (no_grad())
            for (int i = 0; i < pairs.Count; i++)
            {
                var (weight, scale, bias, mean, variance) = pairs[i];
                var target = targets[i];
                Copy(weight, target.Conv.weight!, target.Name + ".weight");
                Copy(scale, target.Norm.weight!, target.Name + " norm scale");
                Copy(bias, target.Norm.bias!, target.Name + " norm bias");
                Copy(mean, target.Norm.running_mean!, target.Name + " norm mean");
                Copy(variance, target.Norm.running_var!, target.Name + " norm variance");
            }
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    /// <summary>Each Conv and the BatchNormalization that reads its output, in node order.</summary>
    private static List<(OnnxGraph.Tensor, OnnxGraph.Tensor, OnnxGraph.Tensor, OnnxGraph.Tensor, OnnxGraph.Tensor)> ConvNormPairs(OnnxGraph graph, string file)
    {
        OnnxGraph.Tensor Init(string name) => graph.Initializers.TryGetValue(name, out var t) ? t : throw new InvalidDataException($"{file}: initialiser '{name}' is missing");
        var pairs = new List<(OnnxGraph.Tensor, OnnxGraph.Tensor, OnnxGraph.Tensor, OnnxGraph.Tensor, OnnxGraph.Tensor)>();
        foreach (var conv in graph.Nodes.Where(n => n.OpType == "Conv"))
        {
            if (conv.Inputs.Count != 2) throw new InvalidDataException($"{file}: a Conv with {conv.Inputs.Count} inputs; expected data and weight (no bias: a norm follows)");
            var norm = graph.Nodes.SingleOrDefault(n => n.OpType == "BatchNormalization" && n.Inputs[0] == conv.Outputs[0])
                ?? throw new InvalidDataException($"{file}: the Conv writing '{conv.Outputs[0]}' is not followed by a BatchNormalization");
            pairs.Add((Init(conv.Inputs[1]), Init(norm.Inputs[1]), Init(norm.Inputs[2]), Init(norm.Inputs[3]), Init(norm.Inputs[4])));
        }
        return pairs;
    }

    private static void Copy(OnnxGraph.Tensor source, Tensor target, string what)
    {
        if (!source.Dims.SequenceEqual(target.shape))
            throw new InvalidDataException($"{what}: the file's '{source.Name}' has shape [{string.Join(", ", source.Dims)}], the network expects [{string.Join(", ", target.shape)}]");
        // Held until the copy is done and disposed then: copy_ passes raw handles, and a temporary nothing references
        // could be finalised by the GC mid-copy (seen as a test-host crash under a forced-GC loop).
        using var values = tensor(source.Values, source.Dims);
        using var onDevice = values.to(target.device);
        target.copy_(onDevice);
        GC.KeepAlive(onDevice);
    }
}
