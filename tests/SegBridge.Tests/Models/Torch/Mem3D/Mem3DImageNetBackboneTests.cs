using Microsoft.ML.OnnxRuntime;
using SegBridge.Imaging.Volumes;
using SegBridge.Models.Torch.Mem3D;
using SegBridge.Models.Torch.Networks;
using SegBridge.Models.Torch.Weights;
using SegBridge.Tests.Support;
using SegBridge.Tests.Volumes;
using TorchSharp.Modules;
using static TorchSharp.torch;
using DenseTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;
using Tensor = TorchSharp.torch.Tensor;

namespace SegBridge.Tests.Models.Torch.Mem3D;

/// <summary>
/// f_Mem on the ImageNet ResNet-18 (<see cref="Mem3DConfig.Backbone"/> imagenet-resnet18): its stages are the ONNX
/// network's on a grey slice repeated to three channels, the memory encoder with its zero mask convolution is the
/// query encoder, shapes at stride 8, frozen norms, the file round trip in float32, bad configs refused by field.
/// </summary>
public sealed class Mem3DImageNetBackboneTests
{
    private static readonly string OnnxPath = ImageNetResNet18.DefaultPath;
    private static readonly Mem3DConfig ImageNet = new() { Backbone = ImageNetResNet18.Id };

    /// <summary>A 224² grey slice in [0, 1]: the middle of a BraTS case when the shared data are here, else a synthetic sphere.</summary>
    private static Tensor GreySlice()
    {
        Volume volume;
        if (RepoPaths.Data is { } data && Directory.Exists(Path.Combine(data, "brats")))
        {
            var brats = Directory.GetDirectories(Path.Combine(data, "brats")).Order(StringComparer.Ordinal).Last();
            volume = NiftiReader.ReadFile(Path.Combine(brats, "Flair_subtrMeanDivStd.nii.gz"), long.MaxValue, long.MaxValue);
        }
        else volume = SyntheticVolumes.Sphere(120, 110, 20, 2, -1, 0);
        using var plane = VolumeSlices.Normalised(volume, volume.Depth / 2);
        return VolumeSlices.Small(plane, 224);
    }

    private static ImageNetSliceEncoder Query(Mem3DNetwork net) => (ImageNetSliceEncoder)net.query_encoder;
    private static ImageNetSliceEncoder Memory(Mem3DNetwork net) => (ImageNetSliceEncoder)net.memory_encoder;
    private static nn.Module<Tensor, Tensor> Layer(ResNetBackbone backbone, string name) => (nn.Module<Tensor, Tensor>)backbone.named_children().Single(c => c.name == name).module;

    [Fact]
    public void The_started_encoders_give_the_onnx_resnets_stage_outputs_on_a_grey_slice_repeated_to_three_channels()
    {
        manual_seed(11);
        using var net = new Mem3DNetwork(ImageNet);
        var sha = net.StartFromImageNet(OnnxPath);
        Assert.Matches("^[0-9a-f]{64}$", sha);
        net.eval();
        using var reference = new ResNetBackbone(ImageNetResNet18.Depth, ImageNetResNet18.Width, ImageNetResNet18.Blocks, dilateLastStage: false);
        using var scope = NewDisposeScope(); // holds LoadInto's temporaries while copy_ reads them
        ImageNetResNet18.LoadInto(reference, OnnxPath);
        reference.eval();
        using var _ = no_grad();
        var slice = GreySlice();
        var bgr = Query(net).ImageNetInput(slice);
        // The grey value in each BGR channel, 0-255 minus that channel's mean (ImageNetResNet18's convention).
        for (int c = 0; c < 3; c++)
            Assert.True(bgr[.., c..(c + 1)].allclose(slice * 255f - ImageNetResNet18.BgrMean[c], 1e-4, 1e-3));

        var (stem, layer1, layer2) = Query(net).StageOutputs(slice, null);
        Assert.Equal([1L, 64, 112, 112], stem.shape);
        Assert.Equal([1L, 64, 56, 56], layer1.shape);
        Assert.Equal([1L, 128, 28, 28], layer2.shape);
        // layer1 is the ResNet's stride-4 output; layer2 carried through the ResNet's layer3 and layer4 and pooled is
        // what ONNX Runtime computes from the ONNX graph itself on the same input.
        var (low, _) = reference.forward(bgr);
        Assert.True(layer1.allclose(low, 1e-4, 1e-3), $"layer1 differs by {(layer1 - low).abs().max().item<float>()}");
        var pooled = Layer(reference, "layer4").forward(Layer(reference, "layer3").forward(layer2)).mean([2, 3]).data<float>().ToArray();
        using var onnx = new InferenceSession(OnnxPath);
        using var results = onnx.Run([NamedOnnxValue.CreateFromTensor(onnx.InputMetadata.Keys.Single(), new DenseTensor(bgr.contiguous().data<float>().ToArray(), [1, 3, 224, 224]))]);
        var expected = results.Single().AsEnumerable<float>().ToArray();
        double scale = expected.Max(Math.Abs), worst = pooled.Zip(expected, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(scale > 0.1, $"the reference features are all but zero ({scale})");
        Assert.True(worst <= 1e-4 * scale, $"pooled features differ by {worst:G3}, {worst / scale:G3} of their largest ({scale:G3})");

        // With its mask convolution at zero the memory encoder is the query encoder, whatever the mask.
        var (mStem, mLayer1, mLayer2) = Memory(net).StageOutputs(slice, rand(1, 1, 224, 224));
        Assert.True(mStem.equal(stem).all().item<bool>() && mLayer1.equal(layer1).all().item<bool>() && mLayer2.equal(layer2).all().item<bool>());
    }

    [Fact]
    public void F_mem_on_the_imagenet_encoders_keeps_the_papers_shapes_at_stride_8()
    {
        manual_seed(12);
        using var net = new Mem3DNetwork(ImageNet with { SliceSize = 64, Channels = 32 });
        net.StartFromImageNet(OnnxPath);
        net.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (s4, s8) = Query(net).forward(rand(2, 1, 64, 64), null);
        Assert.Equal([2L, 16, 16, 16], s4.shape);   // C/2 at stride 4
        Assert.Equal([2L, 32, 8, 8], s8.shape);     // C at stride 8
        using var cell = net.Memorize(rand(2, 1, 64, 64), rand(2, 1, 64, 64));
        Assert.Equal([2L, 4, 8, 8], cell.Key.shape);    // C/8
        Assert.Equal([2L, 16, 8, 8], cell.Value.shape); // C/2
        var (logits, quality) = net.Segment(rand(2, 1, 64, 64), [cell, cell]);
        Assert.Equal([2L, 1, 64, 64], logits.shape);
        Assert.Equal([2L], quality.shape);
        Assert.False(logits.isnan().any().item<bool>());
        Assert.Contains("needs the slice's mask", Assert.Throws<ArgumentException>(() => Memory(net).forward(rand(1, 1, 64, 64), null)).Message);
        // f_In is the small network in both layouts.
        Assert.Equal(new Mem3DNetwork(new Mem3DConfig { SliceSize = 64, Channels = 32 }).f_in.parameters().Sum(p => p.numel()), net.f_in.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void The_resnet_norms_keep_imagenets_statistics_while_training_so_training_and_inference_agree()
    {
        manual_seed(13);
        using var net = new Mem3DNetwork(ImageNet with { SliceSize = 64 });
        net.StartFromImageNet(OnnxPath);
        using var scope = NewDisposeScope();
        var slice = rand(2, 1, 64, 64);
        net.eval();
        Tensor inference;
        using (no_grad()) inference = Query(net).forward(slice, null).S8;
        net.train();
        var norms = Query(net).named_modules().Select(m => m.module).OfType<BatchNorm2d>().ToList();
        Assert.Equal(10, norms.Count); // the stem's, 2 × 2 in layer1, 2 × 2 and the downsample's in layer2
        Assert.All(norms, n => Assert.False(n.training));
        Assert.True(net.decoder.training, "the rest of the network trains");
        var before = norms[0].running_mean!.clone();
        var training = Query(net).forward(slice, null).S8;
        Assert.True(training.allclose(inference, 1e-5, 1e-5));
        Assert.True(norms[0].running_mean!.equal(before).all().item<bool>());
        // The norms' scale and shift are trained (their statistics are not).
        Assert.True(norms[0].weight!.requires_grad);
    }

    [Fact]
    public void A_file_of_the_imagenet_layout_is_float32_names_its_backbone_and_loads_to_the_same_answers()
    {
        var dir = Directory.CreateTempSubdirectory("segbridge-mem3d-imagenet-").FullName;
        try
        {
            manual_seed(14);
            var config = ImageNet with { SliceSize = 64, Channels = 32 };
            using var net = new Mem3DNetwork(config);
            net.StartFromImageNet(OnnxPath);
            net.eval();
            var path = Path.Combine(dir, "m.safetensors");
            Mem3DWeights.Save(path, net, new Dictionary<string, string>(), halfPrecision: true);
            var contents = SafeTensors.Read(path);
            Assert.Contains("\"backbone\":\"imagenet-resnet18\"", contents.Metadata[Mem3DWeights.ConfigKey]);
            // Float32 despite halfPrecision: the stem's norm variances (up to 72 282) overflow float16.
            var stemVariance = contents.Tensors["query_encoder.bn1.running_var"];
            Assert.True(stemVariance.max().item<float>() > 65504f && stemVariance.isfinite().all().item<bool>());
            foreach (var t in contents.Tensors.Values) t.Dispose();

            var (loaded, _) = Mem3DWeights.Load(path);
            loaded.eval();
            Assert.Equal(config, loaded.Config);
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            manual_seed(15);
            var slice = rand(1, 1, 64, 64);
            var mask = rand(1, 1, 64, 64).gt(0.5).to_type(ScalarType.Float32);
            var a = net.Segment(slice, [net.Memorize(slice, mask)]);
            var b = loaded.Segment(slice, [loaded.Memorize(slice, mask)]);
            Assert.True(a.Logits.equal(b.Logits).all().item<bool>() && a.Quality.equal(b.Quality).all().item<bool>());

            // The small layout's config is written as before the field existed, and its file stays float16.
            Assert.DoesNotContain("backbone", new Mem3DConfig().ToJson());
            using var small = new Mem3DNetwork(new Mem3DConfig { SliceSize = 32, Channels = 16 });
            var smallPath = Path.Combine(dir, "small.safetensors");
            Mem3DWeights.Save(smallPath, small, new Dictionary<string, string>(), halfPrecision: true);
            var header = File.ReadAllText(smallPath);
            Assert.Contains("\"dtype\":\"F16\"", header[..Math.Min(header.Length, 4000)]);
            Assert.Contains("small ones (backbone none)", Assert.Throws<InvalidOperationException>(() => small.StartFromImageNet(OnnxPath)).Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void A_wrong_backbone_or_a_projection_wider_than_the_resnet_is_refused_by_field_name()
    {
        var e = Assert.Throws<ArgumentException>(() => new Mem3DConfig { Backbone = "resnet50" }.Validate());
        Assert.StartsWith("backbone is 'resnet50'; allowed: imagenet-resnet18", e.Message);
        e = Assert.Throws<ArgumentException>(() => new Mem3DConfig { Backbone = "none" }.Validate());
        Assert.StartsWith("backbone is 'none'", e.Message);
        e = Assert.Throws<ArgumentException>(() => (ImageNet with { Channels = 256 }).Validate());
        Assert.StartsWith("channels is 256; with the imagenet-resnet18 backbone at most 128", e.Message);
        new Mem3DConfig { Channels = 256 }.Validate(); // the small encoders may be wider
        var fromFile = Assert.Throws<ArgumentException>(() => Mem3DConfig.FromJson("{\"sliceSize\":128,\"roiSize\":96,\"channels\":64,\"similarityScale\":20,\"backbone\":\"vgg\"}"));
        Assert.StartsWith("backbone is 'vgg'", fromFile.Message);
        Assert.Null(Mem3DConfig.FromJson("{\"sliceSize\":128,\"roiSize\":96,\"channels\":64,\"similarityScale\":20}").Backbone);
    }
}
