using SegBridge.Eval;
using SegBridge.Eval.Reports;

namespace SegBridge.Tests.Eval;

/// <summary>The rules of <see cref="EvalMerge.Merge"/> on results the test makes: which parts join, how skipped samples count.</summary>
public sealed class EvalMergeRuleTests
{
    private static SampleResult Sample(string name, params double[] ious) => new()
    {
        Name = name, Width = 8, Height = 8, InitialIou = 0, InitialDice = 0, Ious = ious, Dices = ious, Seconds = [.. ious.Select(_ => 0.5)],
        Noc = [Array.FindIndex(ious, v => v >= 0.85) is var i and >= 0 ? i + 1 : 3], Failed = [ious[^1] < 0.85], Stop = ious[^1] >= 0.85 ? "target" : "max",
    };

    private static EvalResults Part(int skipped, params (string Model, SampleResult[] Samples)[] models) => new()
    {
        Dataset = "d", Mode = "clicks", MaxInteractions = 3, Targets = [0.85], Protocol = "p", WallSeconds = 10, SkippedSamples = skipped,
        Models = [.. models.Select(m => new ModelResult(EvalRunner.Summarise(m.Model, m.Samples, new EvalOptions { Models = [m.Model], MaxInteractions = 3, Targets = [0.85] }), m.Samples))],
    };

    [Fact]
    public void Parts_split_by_model_join_into_rows_on_the_same_samples_and_count_their_skipped_samples_once()
    {
        SampleResult[] a = [Sample("x", 0.5, 0.9), Sample("y", 0.3, 0.6, 0.7)], b = [Sample("x", 0.9), Sample("y", 0.2, 0.4, 0.8)];
        var merged = EvalMerge.Merge([Part(4, ("one", a)), Part(4, ("two", b))]);
        Assert.Equal(["one", "two"], merged.Models.Select(m => m.Summary.Model));
        Assert.Equal(4, merged.SkippedSamples);
        Assert.Equal(20, merged.WallSeconds);
        Assert.Equal(2.5, merged.Models[0].Summary.MeanNoc[0]);  // (2 + 3) / 2: x reached at 2, y never (max 3)
        Assert.Equal(2.0, merged.Models[1].Summary.MeanNoc[0]);  // (1 + 3) / 2
    }

    [Fact]
    public void Parts_split_by_sample_sum_their_skipped_samples()
    {
        var merged = EvalMerge.Merge([Part(1, ("one", [Sample("x", 0.9)])), Part(2, ("one", [Sample("y", 0.9)]))]);
        Assert.Equal(3, merged.SkippedSamples);
        Assert.Equal(2, merged.Models[0].Summary.Samples);
    }

    [Fact]
    public void A_model_without_a_sample_the_others_have_is_refused_by_name()
    {
        var e = Assert.Throws<ArgumentException>(() => EvalMerge.Merge([Part(0, ("one", [Sample("x", 0.9), Sample("y", 0.9)])), Part(0, ("two", [Sample("x", 0.9)]))]));
        Assert.Contains("model two has no result for sample 'y', which one has", e.Message);
        var twice = Assert.Throws<ArgumentException>(() => EvalMerge.Merge([Part(0, ("one", [Sample("x", 0.9)])), Part(0, ("one", [Sample("x", 0.8)]))]));
        Assert.Contains("sample 'x' of model one is in more than one part", twice.Message);
    }
}
