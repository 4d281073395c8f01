using System.Text.Json.Nodes;
using SegBridge.Models.Torch.Networks;
using SegBridge.Models.Torch.Training;

namespace SegBridge.Models.Torch.Brs;

/// <summary>
/// `train --family brs-click`: the base click network (Shared/Training/ClickNetworkTraining), its weights with CGAM's
/// starting W_C and W_m, and one manifest per refinement method (none, f-BRS, G-BRS, CGAM) sharing them.
/// </summary>
public sealed class BrsClickTraining : ClickNetworkTraining
{
    private static readonly string[] Methods = ["none", "f-brs", "g-brs", "cgam"];

    public override string Family => "brs-click";
    public override string Description => "the CGAM paper's base click network, one manifest per refinement method (none, f-BRS, G-BRS, CGAM)";
    protected override int InputChannels => 5;

    protected override IReadOnlyList<string> WriteManifests(string outDir, string modelName, string weights, string sha, ClickNetworkConfig config, string command)
        => [.. Methods.Select(method => TrainingOutput.WriteManifest(outDir, $"{modelName}-{method}", $"Click DeepLabV3+ ResNet-{config.Depth}, {Title(method)}", BrsFamily.Id,
            role: null, new JsonArray("click"),
            new JsonObject { ["method"] = method, ["iterations"] = 20, ["learningRate"] = 0.05, ["lambda"] = 1.0, ["maxSide"] = 400 }, TrainingOutput.WeightsEntry(weights, sha),
            "CGAM: Click-Guided Attention Module for Interactive Pathology Image Segmentation via Backpropagating Refinement (base network and refinement); K. Sofiiuk et al., f-BRS, CVPR 2020",
            command))];

    private static string Title(string method) => method switch { "none" => "no refinement", "f-brs" => "f-BRS", "g-brs" => "G-BRS (bmconv)", _ => "CGAM" };
}
