namespace SegBridge.Models.Torch.Brs;

public enum RefinementMethod { None, Fbrs, Gbrs, Cgam }

/// <summary>
/// Inference-time optimisation settings; the defaults are the CGAM paper's and its authors' code's (Adam β =
/// (0.9, 0.999), lr 5e-2, at most 20 iterations per click, λ = 1, refinement from the second click on, g seeing
/// at most 8 clicks, early stop once every click pixel is on its side).
/// </summary>
public sealed record RefinementSettings
{
    public RefinementMethod Method { get; init; } = RefinementMethod.Cgam;
    public int Iterations { get; init; } = 20;
    public double LearningRate { get; init; } = 5e-2;
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;
    public double Lambda { get; init; } = 1.0;
    /// <summary>Radius (network pixels) of a click's disk (CGAM's C_d, the protected disk of the newest click) when the click carries none.</summary>
    public double DefaultClickRadius { get; init; } = 5;
    /// <summary>Clicks up to this count are a plain pass; refinement starts after them (the authors' optimize_after_n_clicks).</summary>
    public int OptimizeAfterClicks { get; init; } = 1;
    /// <summary>g sees at most this many clicks (the authors' net_clicks_limit); later clicks act through θ alone.</summary>
    public int NetClicksLimit { get; init; } = 8;
    /// <summary>CGAM and G-BRS stop a click's steps once every click pixel is within 0.8 of its margin.</summary>
    public bool EarlyStop { get; init; } = true;

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
