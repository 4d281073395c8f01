using System.Text.Json;
using SegBridge.Engine.Images;
using SegBridge.Engine.Registry;
using SegBridge.Engine.Sessions;
using SegBridge.Imaging.Encodings;
using SegBridge.Imaging.Geometry;
using SegBridge.Imaging.Interactions;
using SegBridge.Imaging.Rasters;
using SegBridge.Models;

namespace SegBridge.Tests.Volumes;

/// <summary>A session built from its typed start: what its mask is before any interaction, and what the model is given.</summary>
public sealed class SessionStartTests
{
    private const int W = 5, H = 4;
    private static readonly ImageRaster Raster = new(W, H, 1, new byte[W * H]);

    private static Session Open(ISegmentationModel model, SessionStart? start) => new("ses-1",
        new StoredImage("img-1", Raster, null, null, new ImageOrigin.Bytes()), Entry("slice-model", model), Raster, RegionMapping.Identity,
        new SessionRegion(0, 0, W, H, 1), start);

    private static ModelEntry Entry(string id, ISegmentationModel model)
        => new(new ModelManifest("m.json", id, id, "test/fake", "refinement", "2d", ["box"], new Dictionary<string, JsonElement>(), [], null, null, null, "none"), ["box"], model, null);

    private static Mask Pixels(params int[] on)
    {
        var mask = new Mask(W, H);
        foreach (var i in on) mask.Data[i] = 1;
        return mask;
    }

    [Fact]
    public void A_propagated_start_is_the_mask_before_any_interaction_and_the_model_gets_it_as_a_0_9_and_0_1_prior()
    {
        var model = new RecordingModel(Pixels(7));
        var session = Open(model, new SessionStart.Propagated(CocoRle.Encode(Pixels(1, 2))));
        Assert.Equal(Pixels(1, 2).Data, session.CurrentMask.Data);

        session.Apply(new Box(0, 0, 3, 3), default);
        Assert.Equal(Pixels(7).Data, session.CurrentMask.Data);
        var prior = model.Priors.Single()!;
        Assert.Equal(0.9f, prior[1]);
        Assert.Equal(0.1f, prior[0]);

        session.Reset();
        Assert.Equal(Pixels(1, 2).Data, session.CurrentMask.Data);
        session.Apply(new Box(0, 0, 3, 3), default);
        Assert.NotNull(model.Priors[^1]); // reset clears the model's cache, not the slice's prior
    }

    [Fact]
    public void A_guide_start_is_the_guides_prediction_and_an_empty_start_gives_the_model_no_prior()
    {
        var guided = Open(new RecordingModel(Pixels(0)), new SessionStart.Guide(Entry("guide", new RecordingModel(Pixels(3, 4)))));
        Assert.Equal(Pixels(3, 4).Data, guided.CurrentMask.Data);

        var model = new RecordingModel(Pixels(0));
        var empty = Open(model, null);
        Assert.Same(SessionStart.Empty, empty.Start);
        Assert.Equal(0, empty.CurrentMask.CountForeground());
        empty.Apply(new Box(0, 0, 3, 3), default);
        Assert.Null(model.Priors.Single());
    }

    /// <summary>Answers every call with the same mask and remembers the prior it was given.</summary>
    private sealed class RecordingModel(Mask answer) : ISegmentationModel
    {
        public List<float[]?> Priors { get; } = [];

        public SegmentationResult Segment(ImageRaster image, IReadOnlyList<Interaction> interactions, ModelSessionState state, CancellationToken cancellationToken)
        {
            Priors.Add(state.SlicePrior);
            return new SegmentationResult(answer.Clone(), null, null);
        }
    }
}
