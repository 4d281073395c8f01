using SegBridge.Models.Torch.Weights;
using SegBridge.Tests.Slides;
using SegBridge.Tests.Support;
using static TorchSharp.torch;

namespace SegBridge.Tests.Torch;

/// <summary>
/// The two ways in from PyTorch: a state dict converted by tools/torch/convert_state_dict.py, and a TorchScript
/// file imported by `segbridge import-weights`. Both start from the shipped weights exported by Debian's PyTorch
/// and must give back exactly the same network tensors.
/// </summary>
public sealed class WeightsImportTests
{
    [SkippableFact]
    public void State_dict_and_torchscript_exports_import_to_the_same_network()
    {
        var missing = TorchTestSupport.PyTorchMissing();
        Skip.If(missing is not null, missing);
        var weights = Environment.GetEnvironmentVariable("SEGBRIDGE_PARITY_WEIGHTS") ?? TorchTestSupport.ShippedClickWeights;
        var dir = Directory.CreateTempSubdirectory("segbridge-import-").FullName;
        try
        {
            string stateDict = Path.Combine(dir, "model.pt"), script = Path.Combine(dir, "model.ts.pt");
            string converted = Path.Combine(dir, "converted.safetensors"), imported = Path.Combine(dir, "imported.safetensors");
            var tools = Path.Combine(RepoPaths.Root, "tools", "torch");
            Ok(SlideTools.Run("/usr/bin/python3", [Path.Combine(tools, "export_reference.py"), "--weights", weights, "--state-dict", stateDict, "--torchscript", script], 180000));
            var original = ClickModelWeights.Load(weights);
            var config = original.Network.Config.ToJson();
            Ok(SlideTools.Run("/usr/bin/python3", [Path.Combine(tools, "convert_state_dict.py"), "--state-dict", stateDict, "--config", config, "--out", converted], 180000));
            Ok(SlideTools.Run(RepoPaths.Engine, ["import-weights", "--torchscript", script, "--config", config, "--out", imported], 180000));

            var expected = original.Network.state_dict();
            foreach (var path in new[] { converted, imported })
            {
                var actual = ClickModelWeights.Load(path).Network.state_dict();
                Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
                foreach (var (name, tensor) in expected)
                    Assert.True(tensor.shape.SequenceEqual(actual[name].shape) && tensor.eq(actual[name]).all().item<bool>(), $"{Path.GetFileName(path)}: {name} differs from the shipped weights");
            }
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Import_refuses_a_config_that_does_not_fit_naming_the_field()
    {
        var (code, _, err) = SlideTools.Run(RepoPaths.Engine, ["import-weights", "--torchscript", "/nonexistent.pt", "--config", """{"depth": 20}""", "--out", "/tmp/x.safetensors"], 60000);
        Assert.Equal(2, code);
        Assert.Contains("depth is 20", err);
    }

    private static void Ok((int Code, string Stdout, string Stderr) run) => Assert.True(run.Code == 0, run.Stderr);
}
