namespace SegBridge.Models.Classical;

/// <summary>The classical model families, for the engine's registry to register in one go.</summary>
public static class ClassicalFamilies
{
    /// <summary>Every classical model turns all four interaction kinds into seeds.</summary>
    public static IReadOnlyList<string> SupportedInteractions { get; } = ["click", "scribble", "labels", "box"];

    public static IReadOnlyList<IModelFamily> All { get; } = [new RandomWalkerFamily(), new WatershedFamily(), new GraphCutFamily()];
}
