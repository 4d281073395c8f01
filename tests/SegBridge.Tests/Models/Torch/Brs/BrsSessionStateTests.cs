using SegBridge.Imaging.Interactions;
using SegBridge.Models;
using SegBridge.Models.Torch;
using SegBridge.Models.Torch.Weights;
using SegBridge.Tests.Support;
using SegBridge.Models.Torch.Brs;
using SegBridge.Tests.Models.Torch.Shared;

namespace SegBridge.Tests.Models.Torch.Brs;

/// <summary>
/// θ across the clicks of a session (issue: "the optimised parameters persist across the clicks of a session and
/// reset with sessions/reset; undo restores the previous θ"), checked on the model as the engine drives it.
/// </summary>
public sealed class BrsSessionStateTests
{
    private static string Weights => Environment.GetEnvironmentVariable("SEGBRIDGE_PARITY_WEIGHTS") ?? TorchTestSupport.ShippedClickWeights;

    private static ISegmentationModel Cgam() => new BrsFamily().Create(
        new ModelParameters(new Dictionary<string, System.Text.Json.JsonElement> { ["method"] = System.Text.Json.JsonDocument.Parse("\"cgam\"").RootElement, ["iterations"] = System.Text.Json.JsonDocument.Parse("8").RootElement }),
        [Weights]);

    private static readonly Click A = new(120, 140, true), B = new(300, 250, false), C = new(200, 320, true), D = new(60, 300, false);

    [SkippableFact]
    public void Theta_carries_over_clicks_undo_goes_back_and_reset_starts_again()
    {
        Skip.If(RepoPaths.Data is null, RepoPaths.NoDataMessage);
        var (image, _) = TorchTestSupport.GlasCrop(100, 60, 400);
        var model = Cgam();

        // Reference: a fresh session for every prefix, rebuilt click by click from θ₀ (the first click is a plain pass).
        var abcFresh = model.Segment(image, [A, B, C], new ModelSessionState(), default).Probability!;
        var abdFresh = model.Segment(image, [A, B, D], new ModelSessionState(), default).Probability!;

        var state = new ModelSessionState();
        var a = model.Segment(image, [A], state, default).Probability!;
        model.Segment(image, [A, B], state, default);
        var abc = model.Segment(image, [A, B, C], state, default).Probability!;
        Assert.Equal(abcFresh, abc); // the state after A, B carried into C's optimisation, same as the rebuild

        // Undo C (the engine restores the stored mask), then click D: D must start from the state after B, not after C.
        var abd = model.Segment(image, [A, B, D], state, default).Probability!;
        Assert.Equal(abdFresh, abd);

        // θ and Adam's moments really are carried: click C optimised from θ₀ instead of the state after B gives a different answer.
        var loaded = ClickModelWeights.Load(Weights);
        loaded.Network.eval();
        var predictor = new BrsPredictor(loaded.Network, TorchSharp.torch.CPU, new RefinementSettings { Iterations = 8 }, loaded.CgamStart);
        var x = ImageTensors.FromRaster(image, 512);
        var points = new[] { A, B, C }.Select(c => { var (px, py) = x.ToNetwork(c.X, c.Y); return new ClickPoint(px, py, c.Positive, 0); }).ToList();
        Assert.Null(predictor.Predict(x.Padded, points.Take(1).ToList(), null, default).State); // the first click refines nothing
        var afterB = predictor.Predict(x.Padded, points.Take(2).ToList(), null, default).State;
        Assert.NotNull(afterB);
        var carried = x.ToRasterProbability(predictor.Predict(x.Padded, points, afterB, default).Logits, image.Width, image.Height);
        var fromStart = x.ToRasterProbability(predictor.Predict(x.Padded, points, null, default).Logits, image.Width, image.Height);
        Assert.Equal(abc, carried);
        Assert.NotEqual(fromStart, carried);

        // Reset clears the session state: the first clicks again give the first answers.
        state.Clear();
        Assert.Equal(a, model.Segment(image, [A], state, default).Probability!);
        Assert.Equal(abc, model.Segment(image, [A, B, C], state, default).Probability!);
    }
}
