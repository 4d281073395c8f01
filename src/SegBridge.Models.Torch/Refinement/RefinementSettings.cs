namespace SegBridge.Models.Torch.Refinement;

public enum RefinementMethod { None, Fbrs, Gbrs, Cgam }

/// <summary>
/// Inference-time optimisation settings; the defaults are the CGAM paper's (Adam β = (0.9, 0.999), lr 5e-2,
/// 20 iterations per click, λ = 1).
/// </summary>
public sealed record RefinementSettings
{
    public RefinementMethod Method { get; init; } = RefinementMethod.Cgam;
    public int Iterations { get; init; } = 20;
    public double LearningRate { get; init; } = 5e-2;
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;
    public double Lambda { get; init; } = 1.0;
    /// <summary>Radius (network pixels) of the newest click's protected disk when the click carries none.</summary>
    public double DefaultClickRadius { get; init; } = 5;

    public static RefinementMethod ParseMethod(string name) => name switch
    {
        "none" => RefinementMethod.None,
        "f-brs" => RefinementMethod.Fbrs,
        "g-brs" => RefinementMethod.Gbrs,
        "cgam" => RefinementMethod.Cgam,
        _ => throw new ArgumentException($"method '{name}' is not one of none, f-brs, g-brs, cgam"),
    };

    public static readonly string[] MethodNames = ["none", "f-brs", "g-brs", "cgam"];
}
