using SegBridge.Eval.Data;
using SegBridge.Imaging.Rasters;
using SegBridge.Tests.Slides;
using SegBridge.Tests.Support;

namespace SegBridge.Tests.Models.Torch.Shared;

/// <summary>Shared pieces of the TorchSharp tests: the shipped click weights, a real GlaS crop, Debian's PyTorch.</summary>
internal static class TorchTestSupport
{
    /// <summary>The shipped click network (ImageNet ResNet-18 layout, full width) the click-hist-* manifests name.</summary>
    public static string ShippedClickWeights => Path.Combine(RepoPaths.Root, "plugin-manifests", "weights", "click-hist-imagenet.safetensors");
    /// <summary>
    /// A click network of the f-BRS fusion layout (half-width ResNet-18 from scratch: the click-hist weights shipped
    /// before the ImageNet backbone, θ₀ completed by tests/torch/upgrade_cgam_start.py), kept so the parity and import
    /// tests check that layout too.
    /// </summary>
    public static string FusionLayoutClickWeights => Path.Combine(RepoPaths.Root, "tests", "torch", "fixtures", "click-fusion-layout.safetensors");
    public static string ReferenceScript => Path.Combine(RepoPaths.Root, "tests", "torch", "brs_reference.py");

    /// <summary>A crop of a held-out GlaS image (testA_1) and its gland mask (1 = gland).</summary>
    public static (ImageRaster Image, Mask Truth) GlasCrop(int x, int y, int size)
    {
        var data = RepoPaths.Data ?? throw new InvalidOperationException("no data folder");
        var dataset = new EvalDataset(new DatasetOptions { Folder = Path.Combine(data, "glas"), NamePattern = "testA_1", IgnoreValue = null, Crop = new PixelRect(x, y, size, size) });
        var sample = dataset.Load(dataset.Samples[0]);
        return (sample.Image, sample.Truth.ObjectMask());
    }

    /// <summary>Why Debian's PyTorch cannot run here, or null when it can.</summary>
    public static string? PyTorchMissing()
    {
        if (!File.Exists("/usr/bin/python3")) return "/usr/bin/python3 is not installed";
        var (code, _, err) = SlideTools.Run(SlideTools.Python, ["-c", "import torch, skimage"], 60_000);
        return code == 0 ? null : "Debian's python3-torch / python3-skimage are not importable: " + err.Trim();
    }
}
