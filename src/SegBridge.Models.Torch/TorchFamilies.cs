using SegBridge.Models.Training;
using SegBridge.Models.Torch.Brs;
using SegBridge.Models.Torch.DeepScribble;
using SegBridge.Models.Torch.Guide;
using SegBridge.Models.Torch.Mem3D;

namespace SegBridge.Models.Torch;

/// <summary>Every learned-model family built on TorchSharp, and the training run of each that can be trained.</summary>
public static class TorchFamilies
{
    public static IReadOnlyList<IModelFamily> All { get; } = [new BrsFamily(), new GuideFamily(), new DeepScribbleFamily(), new Mem3DFamily()];

    /// <summary>In the order `segbridge train --help` and train/run's refusals list them.</summary>
    public static IReadOnlyList<IModelTrainer> Trainers { get; } =
        [new BrsClickTraining(), new GuideTraining(), new WeakGuideTraining(), new DeepScribbleTraining(), new Mem3DTraining()];
}
