namespace SegBridge.Models.Guide;

/// <summary><c>guide/tissue</c>: the weight-free tissue detector (<see cref="TissueDetector"/>); a guide model, no interactions.</summary>
public sealed class TissueFamily : IModelFamily
{
    public const string Id = "guide/tissue";
    public string Family => Id;
    public IReadOnlyList<string> Interactions { get; } = [];

    public ISegmentationModel Create(ModelParameters p, IReadOnlyList<string> weightsFiles)
    {
        p.RejectUnknown("sigma", "minThreshold", "maxThreshold", "minObjectArea", "minHoleArea", "tileSize", "overlap", "mpp");
        double min = p.GetDouble("minThreshold", 0.05, 0, 1), max = p.GetDouble("maxThreshold", 0.2, 0, 1);
        if (max < min) throw new ModelParameterException("maxThreshold", $"is {max}; it must be at least minThreshold ({min})");
        int tile = p.GetInt("tileSize", 512, 64, 4096);
        int overlap = p.GetInt("overlap", 32, 0, tile / 2);
        return new TissueDetector(p.GetDouble("sigma", 2, 0, 20), min, max,
            p.GetDouble("minObjectArea", 20_000, 0, 1e12), p.GetDouble("minHoleArea", 10_000, 0, 1e12), tile, overlap, p.GetDouble("mpp", 2, 0.05, 1000));
    }
}
