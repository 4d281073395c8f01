using SegBridge.Models.Torch.Brs;
using SegBridge.Models.Torch.Weights;
using SegBridge.Tests.Slides;
using SegBridge.Tests.Support;
using static TorchSharp.torch;

namespace SegBridge.Tests.Models.Torch.Shared;

/// <summary>
/// The two ways in from PyTorch: a state dict converted by tests/torch/convert_state_dict.py, and a TorchScript
/// file imported by `segbridge import-weights`. Both start from the shipped weights exported by Debian's PyTorch
/// and must give back exactly the same network tensors. CGAM's θ₀ travels with the state dict when exported
/// (`--cgam-start`) and comes back exactly; otherwise the converter and the importer draw all eight tensors.
/// </summary>
public sealed class WeightsImportTests
{
    [SkippableFact]
    public void State_dict_and_torchscript_exports_import_to_the_same_network()
    {
        var missing = TorchTestSupport.PyTorchMissing();
        Skip.If(missing is not null, missing);
        var weights = Environment.GetEnvironmentVariable("SEGBRIDGE_PARITY_WEIGHTS") ?? TorchTestSupport.FusionLayoutClickWeights;
        var dir = Directory.CreateTempSubdirectory("segbridge-import-").FullName;
        try
        {
            string stateDict = Path.Combine(dir, "model.pt"), script = Path.Combine(dir, "model.ts.pt");
            string cgamStart = Path.Combine(dir, "theta0.pt");
            string converted = Path.Combine(dir, "converted.safetensors"), drawn = Path.Combine(dir, "drawn.safetensors"), imported = Path.Combine(dir, "imported.safetensors");
            var tools = Path.Combine(RepoPaths.Root, "tests", "torch");
            Ok(SlideTools.Run("/usr/bin/python3", [Path.Combine(tools, "export_reference.py"), "--weights", weights, "--state-dict", stateDict, "--cgam-start", cgamStart, "--torchscript", script], 180000));
            var original = ClickModelWeights.Load(weights);
            var config = original.Network.Config.ToJson();
            Ok(SlideTools.Run("/usr/bin/python3", [Path.Combine(tools, "convert_state_dict.py"), "--state-dict", stateDict, "--cgam-start", cgamStart, "--config", config, "--out", converted], 180000));
            Ok(SlideTools.Run("/usr/bin/python3", [Path.Combine(tools, "convert_state_dict.py"), "--state-dict", stateDict, "--config", config, "--out", drawn], 180000));
            Ok(SlideTools.Run(RepoPaths.Engine, ["import-weights", "--torchscript", script, "--config", config, "--out", imported], 180000));

            var expected = original.Network.state_dict();
            var expectedStart = original.CgamStart!;
            foreach (var path in new[] { converted, drawn, imported })
            {
                var loaded = ClickModelWeights.Load(path);
                var actual = loaded.Network.state_dict();
                Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
                foreach (var (name, tensor) in expected)
                    Assert.True(tensor.shape.SequenceEqual(actual[name].shape) && tensor.eq(actual[name]).all().item<bool>(), $"{Path.GetFileName(path)}: {name} differs from the shipped weights");
                // Load refuses a file without all eight θ₀ tensors; here their shapes, and the values where they were exported.
                foreach (var name in CgamRefiner.StartNames)
                {
                    var start = loaded.CgamStart![name];
                    Assert.True(expectedStart[name].shape.SequenceEqual(start.shape), $"{Path.GetFileName(path)}: cgam.{name} has shape [{string.Join(",", start.shape)}]");
                    if (path == converted)
                        Assert.True(expectedStart[name].eq(start).all().item<bool>(), $"{Path.GetFileName(path)}: cgam.{name} differs from the shipped θ₀");
                }
                Assert.True(loaded.CgamStart!["norm.weight"].eq(0).all().item<bool>() && loaded.CgamStart["norm.bias"].eq(1).all().item<bool>(), $"{Path.GetFileName(path)}: α does not start at one");
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
