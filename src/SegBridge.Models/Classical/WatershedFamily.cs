namespace SegBridge.Models.Classical;

/// <summary><c>classical/watershed</c>: parameter sigma (Gaussian smoothing before the Sobel gradient).</summary>
public sealed class WatershedFamily : IModelFamily
{
    public const string Id = "classical/watershed";
    public string Family => Id;
    public IReadOnlyList<string> Interactions => ClassicalFamilies.SupportedInteractions;

    public ISegmentationModel Create(ModelParameters parameters, IReadOnlyList<string> weightsFiles)
    {
        parameters.RejectUnknown("sigma");
        return new WatershedModel(parameters.GetDouble("sigma", WatershedModel.DefaultSigma, 0, 20));
    }
}
