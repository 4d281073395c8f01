namespace SegBridge.Models.Classical;

/// <summary><c>classical/graph-cut</c>: parameters lambda, components, grabCutIterations.</summary>
public sealed class GraphCutFamily : IModelFamily
{
    public const string Id = "classical/graph-cut";
    public string Family => Id;
    public IReadOnlyList<string> Interactions => ClassicalFamilies.SupportedInteractions;

    public ISegmentationModel Create(ModelParameters parameters, IReadOnlyList<string> weightsFiles)
    {
        parameters.RejectUnknown("lambda", "components", "grabCutIterations");
        return new GraphCutModel(
            parameters.GetDouble("lambda", GraphCutModel.DefaultLambda, 0, 1e5),
            parameters.GetInt("components", GraphCutModel.DefaultComponents, 1, 20),
            parameters.GetInt("grabCutIterations", GraphCutModel.DefaultGrabCutIterations, 1, 20));
    }
}
