using System.Text.Json.Nodes;
using SegBridge.Models.Torch.Networks;
using SegBridge.Models.Torch.Training;

namespace SegBridge.Models.Torch.Guide;

/// <summary>
/// `train --family guide`: the click network on the image alone (DeepScribble's GuideNet role; Shared/Training/
/// ClickNetworkTraining), written as one torch/guide manifest.
/// </summary>
public sealed class GuideTraining : ClickNetworkTraining
{
    public override string Family => "guide";
    public override string Description => "an image-only guide network (DeepScribble's GuideNet role)";
    protected override int InputChannels => 3;

    protected override IReadOnlyList<string> WriteManifests(string outDir, string modelName, string weights, string sha, ClickNetworkConfig config, string command)
        => [TrainingOutput.WriteManifest(outDir, modelName, $"Guide network, DeepLabV3+ ResNet-{config.Depth} on the image alone", GuideFamily.Id, "guide", interactions: null,
            new JsonObject { ["maxSide"] = 400, ["className"] = "Epithelium" }, TrainingOutput.WeightsEntry(weights, sha),
            "DeepScribble (GuideNet role): initial segmentation for scribble refinement", command)];
}
