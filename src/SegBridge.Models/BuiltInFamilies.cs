using SegBridge.Models.Classical;
using SegBridge.Models.Guide;

namespace SegBridge.Models;

/// <summary>Every model family compiled into this engine; the registry maps manifest families to these.</summary>
public static class BuiltInFamilies
{
    public static IReadOnlyList<IModelFamily> All { get; } = [.. ClassicalFamilies.All, new TissueFamily()];
}
