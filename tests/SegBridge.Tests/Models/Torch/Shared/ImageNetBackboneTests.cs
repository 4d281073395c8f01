using Microsoft.ML.OnnxRuntime;
using DenseTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;
using SegBridge.Imaging.Codecs;
using SegBridge.Models.Torch;
using SegBridge.Models.Torch.Networks;
using SegBridge.Models.Torch.Weights;
using SegBridge.Tests.Support;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace SegBridge.Tests.Models.Torch.Shared;

/// <summary>
/// The ImageNet ResNet-18 copied into the engine's backbone computes what its ONNX graph computes: the same pooled
/// features on real images, run by ONNX Runtime; a wrong file is refused by name.
/// </summary>
public class ImageNetBackboneTests
{
    private static readonly string OnnxPath = ImageNetResNet18.DefaultPath;

    /// <summary>The demo image and, when the shared data are here, two GlaS and one EBHI image: 224² crops as the graph takes them.</summary>
    private static IEnumerable<(string Name, Tensor Input)> RealImages()
    {
        var files = new List<string> { Path.Combine(RepoPaths.Root, "examples", "tissue.png") };
        if (RepoPaths.Data is { } data)
            files.AddRange([
                Path.Combine(data, "glas", "images", "testA_1.png"), Path.Combine(data, "glas", "images", "train_3.png"),
                .. Directory.GetFiles(Path.Combine(data, "ebhi", "images")).Order().Take(1)]);
        foreach (var file in files.Where(File.Exists))
        {
            var image = ImageTensors.Normalised(ImageDecoder.DecodeFile(file, 50_000_000));
            var square = nn.functional.interpolate(image, [224, 224], mode: InterpolationMode.Bilinear, align_corners: false);
            yield return (Path.GetFileName(file), ImageNetResNet18.FromNormalizedRgb(square));
        }
    }

    [Fact]
    public void The_converted_backbone_gives_the_onnx_graphs_pooled_features_on_real_images()
    {
        using var backbone = new ResNetBackbone(ImageNetResNet18.Depth, ImageNetResNet18.Width, ImageNetResNet18.Blocks, dilateLastStage: false);
        var sha = ImageNetResNet18.LoadInto(backbone, OnnxPath);
        Assert.Matches("^[0-9a-f]{64}$", sha);
        backbone.eval();
        using var onnx = new InferenceSession(OnnxPath);
        var inputName = onnx.InputMetadata.Keys.Single();
        int checkedImages = 0;
        foreach (var (name, input) in RealImages())
        {
            float[] ours;
            using (no_grad()) ours = backbone.forward(input).High.mean([2, 3]).data<float>().ToArray();
            var feed = new DenseTensor(input.data<float>().ToArray(), [1, 3, 224, 224]);
            using var results = onnx.Run([NamedOnnxValue.CreateFromTensor(inputName, feed)]);
            var reference = results.Single().AsEnumerable<float>().ToArray();
            Assert.Equal(512, reference.Length);
            double scale = reference.Max(Math.Abs), worst = ours.Zip(reference, (a, b) => Math.Abs(a - b)).Max();
            Assert.True(scale > 0.1, $"{name}: the reference features are all but zero ({scale})");
            Assert.True(worst <= 1e-4 * scale, $"{name}: pooled features differ by {worst:G3}, {worst / scale:G3} of their largest ({scale:G3})");
            checkedImages++;
        }
        Assert.True(checkedImages >= 1);
    }

    [Fact]
    public void A_backbone_of_another_layout_is_refused_naming_the_mismatch()
    {
        using var resnet18 = new ResNetBackbone(18, 64);
        var e = Assert.Throws<InvalidDataException>(() => ImageNetResNet18.LoadInto(resnet18, OnnxPath));
        Assert.Contains("convolution + norm pairs", e.Message);
        using var narrow = new ResNetBackbone(18, 32, ImageNetResNet18.Blocks);
        e = Assert.Throws<InvalidDataException>(() => ImageNetResNet18.LoadInto(narrow, OnnxPath));
        Assert.Contains("conv1.weight: the file's 'Parameter91' has shape [64, 3, 7, 7], the network expects [32, 3, 7, 7]", e.Message);
    }

    [Fact]
    public void A_file_that_is_not_the_resnet_is_refused()
    {
        var dir = Directory.CreateTempSubdirectory("segbridge-onnx-").FullName;
        try
        {
            using var backbone = new ResNetBackbone(ImageNetResNet18.Depth, ImageNetResNet18.Width, ImageNetResNet18.Blocks);
            var preprocess = Path.Combine(Path.GetDirectoryName(OnnxPath)!, "..", "..", "..", "..", "..", "..", "missing.onnx");
            Assert.Throws<FileNotFoundException>(() => ImageNetResNet18.LoadInto(backbone, preprocess));
            var text = Path.Combine(dir, "notes.onnx");
            File.WriteAllText(text, "these are not protocol buffers \u0001\u0002");
            Assert.Throws<InvalidDataException>(() => ImageNetResNet18.LoadInto(backbone, text));
            var cut = Path.Combine(dir, "cut.onnx");
            File.WriteAllBytes(cut, File.ReadAllBytes(OnnxPath)[..1_000_000]);
            Assert.Throws<InvalidDataException>(() => ImageNetResNet18.LoadInto(backbone, cut));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void The_graph_reader_sees_the_resnets_operators_and_float_initialisers()
    {
        var graph = OnnxGraph.Read(OnnxPath);
        Assert.Equal(22, graph.Nodes.Count(n => n.OpType == "Conv"));
        Assert.Equal(22, graph.Nodes.Count(n => n.OpType == "BatchNormalization"));
        var stem = graph.Nodes.First(n => n.OpType == "Conv");
        Assert.Equal([7, 7], stem.Ints["kernel_shape"]);
        Assert.Equal([2, 2], stem.Ints["strides"]);
        Assert.Equal([64, 3, 7, 7], graph.Initializers[stem.Inputs[1]].Dims);
    }

    [Fact]
    public void A_click_network_on_the_imagenet_backbone_reads_the_image_as_imagenet_did_and_clicks_only_once_trained()
    {
        var config = new ClickNetworkConfig { Backbone = ImageNetResNet18.Id, AsppChannels = 16, DecoderChannels = 16, InputChannels = 5 };
        using var network = new ClickNetwork(config);
        ImageNetResNet18.LoadInto(network.Backbone, OnnxPath);
        network.eval();
        var stem = OnnxGraph.Read(OnnxPath).Initializers["Parameter91"];
        Assert.True(network.Backbone.ConvNorms().First().Conv.weight!.allclose(tensor(stem.Values, stem.Dims)));
        manual_seed(3);
        var image = randn(1, 3, 64, 64);
        using (no_grad())
        {
            var noClicks = network.forward(image, zeros(1, 2, 64, 64));
            var clicks = network.forward(image, rand(1, 2, 64, 64));
            // The guidance convolution starts at zero: the pretrained features are what the first iterations see.
            Assert.True(noClicks.equal(clicks).all().item<bool>());
        }
        Assert.Contains("width is 32; the imagenet-resnet18 backbone is 64 wide",
            Assert.Throws<ArgumentException>(() => new ClickNetwork(config with { Width = 32 })).Message);
    }

    [SkippableFact]
    public async Task Train_starts_from_the_imagenet_backbone_by_default_and_records_it()
    {
        Skip.If(RepoPaths.Data is null, RepoPaths.NoDataMessage);
        var dir = Directory.CreateTempSubdirectory("segbridge-train-imagenet-").FullName;
        try
        {
            var (code, _, err) = await EngineCli.RunAsync("train", "--family", "guide", "--data", Path.Combine(RepoPaths.Data!, "ebhi") + ":pattern=adeno_*",
                "--out", dir, "--name", "tiny-imagenet", "--iterations", "2", "--batch", "2", "--crop", "64", "--aspp-channels", "16", "--decoder-channels", "16", "--threads", "1");
            Assert.True(code == 0, err);
            using var record = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "weights", "tiny-imagenet.training.json")));
            Assert.Equal(ImageNetResNet18.Id, record.RootElement.GetProperty("backbone").GetString());
            Assert.Equal(ImageNetResNet18.LoadInto(new ResNetBackbone(18, 64, ImageNetResNet18.Blocks), OnnxPath), record.RootElement.GetProperty("backboneSha256").GetString());
            var trained = ClickModelWeights.Load(Path.Combine(dir, "weights", "tiny-imagenet.safetensors")).Network;
            Assert.Equal(ImageNetResNet18.Id, trained.Config.Backbone);
            Assert.Equal(64, trained.Config.Width);
            (code, _, err) = await EngineCli.RunAsync("train", "--family", "guide", "--data", "/nonexistent", "--out", dir, "--width", "32");
            Assert.Equal(2, code);
            Assert.Contains("--width is 32; the imagenet-resnet18 backbone is 64 wide", err);
        }
        finally { Directory.Delete(dir, true); }
    }
}
