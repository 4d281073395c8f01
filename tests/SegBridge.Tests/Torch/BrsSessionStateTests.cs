using SegBridge.Imaging.Interactions;
using SegBridge.Models;
using SegBridge.Models.Torch;
using SegBridge.Models.Torch.Refinement;
using SegBridge.Models.Torch.Weights;
using SegBridge.Tests.Support;

namespace SegBridge.Tests.Torch;

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

    private static readonly Click A = new(120, 140, true), B = new(300, 250, false), C = new(200, 320, true);

    [SkippableFact]
    public void Theta_carries_over_clicks_undo_goes_back_and_reset_starts_again()
    {
        Skip.If(RepoPaths.Data is null, RepoPaths.NoDataMessage);
        var (image, _) = TorchTestSupport.GlasCrop(100, 60, 400);
        var model = Cgam();

        // Reference: a fresh session for every prefix, rebuilt click by click from θ₀.
        var abFresh = model.Segment(image, [A, B], new ModelSessionState(), default).Probability!;
        var acFresh = model.Segment(image, [A, C], new ModelSessionState(), default).Probability!;

        var state = new ModelSessionState();
        var a = model.Segment(image, [A], state, default).Probability!;
        var ab = model.Segment(image, [A, B], state, default).Probability!;
        Assert.Equal(abFresh, ab); // θ after A carried into B's optimisation, same as the rebuild

        // Undo B (the engine restores the stored mask), then click C: C must start from θ after A, not after B.
        var ac = model.Segment(image, [A, C], state, default).Probability!;
        Assert.Equal(acFresh, ac);

        // θ really is carried: the same two clicks optimised from θ₀ instead of θ after A give a different answer.
        var loaded = ClickModelWeights.Load(Weights);
        loaded.Network.eval();
        var predictor = new BrsPredictor(loaded.Network, TorchSharp.torch.CPU, new RefinementSettings { Iterations = 8 }, loaded.CgamWc, loaded.CgamWm);
        var x = ImageTensors.FromRaster(image, 512);
        var points = new[] { A, B }.Select(c => { var (px, py) = x.ToNetwork(c.X, c.Y); return new ClickPoint(px, py, c.Positive, 0); }).ToList();
        var afterA = predictor.Predict(x.Padded, points.Take(1).ToList(), null, default).Theta;
        var carried = x.ToRasterProbability(predictor.Predict(x.Padded, points, afterA, default).Logits, image.Width, image.Height);
        var fromStart = x.ToRasterProbability(predictor.Predict(x.Padded, points, null, default).Logits, image.Width, image.Height);
        Assert.Equal(ab, carried);
        Assert.NotEqual(fromStart, carried);

        // Reset clears the session state: the first click again gives the first answer.
        state.Clear();
        Assert.Equal(a, model.Segment(image, [A], state, default).Probability!);
    }
}
