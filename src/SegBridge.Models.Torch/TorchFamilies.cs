namespace SegBridge.Models.Torch;

/// <summary>Every learned-model family built on TorchSharp.</summary>
public static class TorchFamilies
{
    public static IReadOnlyList<IModelFamily> All { get; } = [new BrsFamily(), new GuideFamily(), new DeepScribbleFamily(), new Mem3DFamily()];
}
