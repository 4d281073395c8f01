using SegBridge.Models.Torch.Networks;

namespace SegBridge.Models.Torch.Training;

/// <summary>What every trainer's options share: the Adam learning rate and the seed that fixes data order, sampling and initial weights.</summary>
public abstract record TrainingOptions
{
    public double LearningRate { get; init; } = 5e-4;
    public int Seed { get; init; } = 1;
}

/// <summary>
/// The 2D trainers' options (click network, guide, weak guide, RefineNet): random rescaled crops with flips, and
/// Adam whose learning rate drops to a tenth for the last <see cref="FinalShare"/> of the iterations (the CGAM
/// paper's 100 + 20 epochs).
/// </summary>
public abstract record CropTrainingOptions : TrainingOptions
{
    public ClickNetworkConfig Network { get; init; } = new();
    public int Iterations { get; init; } = 2000;
    public int BatchSize { get; init; } = 8;
    public int CropSize { get; init; } = 256;
    /// <summary>Random rescale range applied before cropping.</summary>
    public double MinScale { get; init; } = 0.5;
    public double MaxScale { get; init; } = 1.0;
    public double FinalShare { get; init; } = 1.0 / 6;
    /// <summary>The ImageNet ResNet-18 file the backbone starts from (<see cref="ImageNetResNet18.LoadInto"/>); null: random initial weights.</summary>
    public string? PretrainedBackbone { get; init; }
    /// <summary>Write a checkpoint into <see cref="CheckpointFolder"/> every this many iterations (0: none).</summary>
    public int CheckpointEvery { get; init; }
    public string? CheckpointFolder { get; init; }
    /// <summary>A checkpoint folder (or a run's checkpoint folder: its newest) to continue from.</summary>
    public string? ResumeFrom { get; init; }
    /// <summary>Measure the held-out IoU every this many iterations (and at the end) when held-out samples are given.</summary>
    public int ValidationEvery { get; init; } = 100;
}
