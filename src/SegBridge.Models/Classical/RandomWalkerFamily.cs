namespace SegBridge.Models.Classical;

/// <summary><c>classical/random-walker</c>: parameters beta, tolerance, maxIterations.</summary>
public sealed class RandomWalkerFamily : IModelFamily
{
    public const string Id = "classical/random-walker";
    public string Family => Id;
    public IReadOnlyList<string> Interactions => ClassicalFamilies.SupportedInteractions;

    public ISegmentationModel Create(ModelParameters parameters, IReadOnlyList<string> weightsFiles)
    {
        parameters.RejectUnknown("beta", "tolerance", "maxIterations");
        return new RandomWalkerModel(
            parameters.GetDouble("beta", RandomWalkerModel.DefaultBeta, 0, 1e6),
            parameters.GetDouble("tolerance", RandomWalkerModel.DefaultTolerance, 1e-10, 0.5),
            parameters.GetInt("maxIterations", RandomWalkerModel.DefaultMaxIterations, 1, 1_000_000));
    }
}
