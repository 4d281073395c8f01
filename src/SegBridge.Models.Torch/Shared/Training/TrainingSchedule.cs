using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SegBridge.Models.Torch.Training;

/// <summary>
/// The optimiser every 2D trainer uses: Adam with β = (0.9, 0.999) whose learning rate drops to a tenth for the
/// last <c>finalShare</c> of the iterations (the CGAM paper's 100 + 20 epochs).
/// </summary>
internal sealed class StepDownAdam(IEnumerable<Parameter> parameters, double learningRate, int iterations, double finalShare)
{
    private readonly int stepDown = (int)Math.Round(iterations * (1 - finalShare));
    private bool steppedDown;

    public Adam Optimizer { get; } = optim.Adam(parameters, learningRate, 0.9, 0.999);

    /// <summary>Call at the start of iteration <paramref name="iteration"/> (0-based); a run resumed past the step-down starts at the lower rate.</summary>
    public void StartIteration(int iteration)
    {
        if (steppedDown || iteration < stepDown) return;
        foreach (var group in Optimizer.ParamGroups) group.LearningRate = learningRate / 10;
        steppedDown = true;
    }
}

/// <summary>The loss shown in progress lines: an exponential moving average that starts at the first value.</summary>
internal struct RunningLoss(double keep)
{
    public double Value { get; private set; } = double.NaN;

    public void Add(double value) => Value = double.IsNaN(Value) ? value : keep * Value + (1 - keep) * value;
}
