using SegBridge.Models.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;
using SegBridge.Models.Torch.Mem3D;
using SegBridge.Tests.Support;

namespace SegBridge.Tests.Models.Torch.Mem3D;

/// <summary>
/// Mem3D training's stage 3 (f_QA on whole propagations): it changes f_QA and nothing else, and reports its
/// progress. Two trainings must start from the same initial weights, which come from libtorch's process-wide
/// generator, so this class runs alone (other test classes seed and draw from it).
/// </summary>
[Collection(TorchGlobalGenerator.Name)]
public sealed class Mem3DQualityStageTests
{
    private static Mem3DTrainingCase Case(int w, int h, int d, int dx)
    {
        var volume = SyntheticVolumes.Sphere(w, h, d, dx, 0, 0);
        var truth = Enumerable.Range(0, d).Select(z => SyntheticVolumes.SphereMask(w, h, d, z, dx)).ToArray();
        return new Mem3DTrainingCase($"sphere{dx}", volume, truth);
    }

    private static Mem3DTrainingOptions Options(int qualityIterations) => new()
    {
        Network = new Mem3DConfig { SliceSize = 32, RoiSize = 32, Channels = 16 },
        InteractionIterations = 3, InteractionBatch = 2, MemoryIterations = 3, MemoryBatch = 2,
        QualityPropagations = 2, QualityIterations = qualityIterations, QualityBatch = 4, MinObjectPixels = 5, Seed = 3,
    };

    [Fact]
    public void Stage_three_changes_only_f_qa()
    {
        var cases = new[] { Case(40, 40, 12, 0), Case(40, 40, 12, 4) };
        using var without = new Mem3DTrainer(Options(0), CPU).Train(cases, null, default);
        using var with = new Mem3DTrainer(Options(20), CPU).Train(cases, null, default);
        var after = with.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        int qaParameters = 0;
        foreach (var (name, before) in without.named_parameters())
        {
            bool same = before.eq(after[name]).all().item<bool>();
            if (name.StartsWith("f_qa.")) { qaParameters++; continue; }
            Assert.True(same, $"{name} changed in stage 3");
        }
        Assert.True(qaParameters > 0);
        Assert.Contains(without.named_parameters(), p => p.name.StartsWith("f_qa.") && !p.parameter.eq(after[p.name]).all().item<bool>());
    }

    [Fact]
    public void Stage_three_progress_reports_propagations_then_iterations()
    {
        var stages = new List<(string Stage, int Iteration, double Loss)>();
        using var network = new Mem3DTrainer(Options(5), CPU).Train([Case(40, 40, 12, 0)], new SyncProgress(p => stages.Add((p.Stage, p.Iteration, p.Loss))), default);
        Assert.Equal([1, 2], stages.Where(s => s.Stage == "f_QA propagations").Select(s => s.Iteration));
        var qa = stages.Where(s => s.Stage == "f_QA").ToList();
        Assert.Equal(Enumerable.Range(1, 5), qa.Select(s => s.Iteration));
        Assert.All(qa, s => Assert.InRange(s.Loss, 0, 1));
    }

    private sealed class SyncProgress(Action<Mem3DTrainer.Progress> report) : IProgress<Mem3DTrainer.Progress>
    {
        public void Report(Mem3DTrainer.Progress value) => report(value);
    }
}

/// <summary>Tests that need libtorch's process-wide random generator to themselves.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchGlobalGenerator
{
    public const string Name = "Torch global generator";
}
