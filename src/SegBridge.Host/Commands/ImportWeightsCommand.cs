using System.CommandLine;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using SegBridge.Models.Torch;
using SegBridge.Models.Torch.Networks;
using SegBridge.Models.Torch.Weights;
using SegBridge.Models.Torch.Brs;

namespace SegBridge.Host.Commands;

/// <summary>
/// `segbridge import-weights --torchscript model.pt --config shape.json --out W.safetensors`: a click network
/// exported from PyTorch as TorchScript becomes a SegBridge weights file; prints the sha256 for the manifest.
/// (A plain state dict goes through tests/torch/convert_state_dict.py instead.)
/// </summary>
internal static class ImportWeightsCommand
{
    public static Command Create()
    {
        var torchscript = new Option<string>("--torchscript") { Description = "TorchScript file of the click network (torch.jit.trace or torch.jit.script)", Required = true };
        var config = new Option<string>("--config") { Description = "Network shape as JSON (file or inline): depth, width, asppChannels, decoderChannels, lowLevelChannels, clickNormRadius", Required = true };
        var output = new Option<string>("--out") { Description = "SegBridge weights file to write (.safetensors)", Required = true };
        var seed = new Option<int>("--seed") { Description = "Seed for CGAM's starting W_C and W_m", DefaultValueFactory = _ => 1 };
        var half = new Option<bool>("--half") { Description = "Store floating tensors as float16" };
        var command = new Command("import-weights", "Convert a PyTorch TorchScript export of the click network into SegBridge weights") { torchscript, config, output, seed, half };
        command.SetAction((parse, ct) =>
        {
            var configText = parse.GetValue(config)!;
            ClickNetworkConfig shape;
            try { shape = ClickNetworkConfig.FromJson(File.Exists(configText) ? File.ReadAllText(configText) : configText); shape.Validate(); }
            catch (Exception e) when (e is JsonException or ArgumentException) { throw new CommandException($"--config: {e.Message}"); }
            if (TorchRuntime.Device is null) throw new CommandException(TorchRuntime.Problem!);
            ClickNetwork network;
            try { network = TorchScriptImport.Load(Path.GetFullPath(parse.GetValue(torchscript)!), shape); }
            catch (Exception e) when (e is FileNotFoundException or InvalidDataException or System.Runtime.InteropServices.ExternalException)
            {
                throw new CommandException($"--torchscript: {e.Message.Split('\n')[0]}");
            }
            var cgamStart = CgamRefiner.NewStart(shape.AsppChannels, parse.GetValue(seed));
            var outPath = Path.GetFullPath(parse.GetValue(output)!);
            var provenance = new JsonObject { ["importedFrom"] = Path.GetFileName(parse.GetValue(torchscript)), ["tool"] = "segbridge import-weights", ["seed"] = parse.GetValue(seed) };
            ClickModelWeights.Save(outPath, network, cgamStart, new Dictionary<string, string> { ["segbridge.training"] = provenance.ToJsonString() }, parse.GetValue(half));
            Console.WriteLine(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(outPath))));
            return Task.FromResult(0);
        });
        return command;
    }
}
