using SegBridge.Imaging.Encodings;
using SegBridge.Imaging.Rasters;
using SegBridge.Imaging.Volumes;
using SegBridge.Models;
using SegBridge.Tests.Support;

namespace SegBridge.Tests.Volumes;

/// <summary>The rules of a volume's rounds (shared by volumes/propagate and volume eval), with a model that needs no torch.</summary>
public sealed class VolumeRoundsTests
{
    private const int W = 6, H = 4, D = 7;
    private static readonly Volume Volume = SyntheticVolumes.Sphere(W, H, D, 0, 0, 0);

    [Fact]
    public void An_empty_slice_is_refused_as_the_first_round_and_propagated_as_a_correction_after_it()
    {
        var rounds = new VolumeRounds(W, H, D);
        var model = new NearestSliceModel();
        var empty = new Mask(W, H);
        Assert.False(rounds.Accepts(empty));
        var refused = Assert.Throws<ArgumentException>(() => rounds.Run(Volume, model, 3, empty, null, default));
        Assert.Contains("empty", refused.Message);
        Assert.Empty(model.Calls);

        rounds.Propagate(Volume, model, 3, Square(1, 1), null, default);
        Assert.True(rounds.Accepts(empty));
        var corrected = rounds.Propagate(Volume, model, 6, empty, null, default);
        Assert.Equal(0, corrected.ForegroundPerSlice[6]);
        Assert.Equal(0, model.Calls[^1].Interactive.Single(s => s.Slice == 6).Mask.CountForeground());
        Assert.Equal(4, rounds.Latest!.ForegroundPerSlice[3]);
    }

    [Fact]
    public void A_round_gives_the_model_every_interactive_slice_in_first_segmented_order_and_the_previous_result()
    {
        var rounds = new VolumeRounds(W, H, D);
        var model = new NearestSliceModel();
        var first = rounds.Propagate(Volume, model, 4, Square(0, 0), null, default);
        rounds.Propagate(Volume, model, 1, Square(2, 1), null, default);
        rounds.Propagate(Volume, model, 4, Square(3, 2), null, default); // slice 4 again: new mask, same place

        Assert.Null(model.Calls[0].Previous);
        Assert.Same(first, model.Calls[1].Previous);
        Assert.Equal([4, 1], model.Calls[2].Interactive.Select(s => s.Slice));
        Assert.Equal(4, model.Calls[2].Start);
        Assert.Equal(Square(3, 2).Data, model.Calls[2].Interactive[0].Mask.Data);
        Assert.Equal([4, 1], rounds.Interactive.Keys);
        Assert.Equal(CocoRle.Encode(Square(3, 2)), rounds.Interactive[4]);
    }

    [Fact]
    public void The_prior_of_a_slice_is_its_latest_propagated_mask_at_0_9_inside_and_0_1_outside()
    {
        var rounds = new VolumeRounds(W, H, D);
        Assert.Null(rounds.PropagatedMask(2));
        Assert.Null(rounds.Prior(2));
        rounds.Propagate(Volume, new NearestSliceModel(), 3, Square(1, 1), null, default);

        var mask = rounds.PropagatedMask(2)!;
        Assert.Equal(Square(1, 1).Data, mask.Data); // the fake copies the nearest interactive slice
        var prior = rounds.Prior(2)!;
        Assert.Equal(W * H, prior.Length);
        for (int i = 0; i < prior.Length; i++) Assert.Equal(mask.Data[i] != 0 ? 0.9f : 0.1f, prior[i]);
        Assert.Throws<ArgumentOutOfRangeException>(() => rounds.Prior(D));
    }

    [Fact]
    public void The_suggestion_is_the_lowest_scored_slice_that_is_not_interactive_and_none_before_a_round()
    {
        var rounds = new VolumeRounds(W, H, D);
        Assert.Null(rounds.Suggest(SliceRanking.LowestQuality));
        rounds.Propagate(Volume, new NearestSliceModel(), 1, Square(1, 1), null, default);
        Assert.Equal(6, rounds.Suggest(SliceRanking.LowestQuality)); // the farthest slice from 1
        rounds.Propagate(Volume, new NearestSliceModel(), 6, Square(1, 1), null, default);
        Assert.Equal(3, rounds.Suggest(SliceRanking.LowestQuality)); // 3 and 4 are 2 from an interactive slice; ties to the first

        var two = SyntheticVolumes.Sphere(W, H, 2, 0, 0, 0);
        var all = new VolumeRounds(W, H, 2);
        all.Propagate(two, new NearestSliceModel(), 0, Square(1, 1), null, default);
        all.Propagate(two, new NearestSliceModel(), 1, Square(1, 1), null, default);
        Assert.Null(all.Suggest(SliceRanking.MostExpectedErrors));
    }

    [Fact]
    public void A_round_run_but_not_recorded_changes_nothing_and_a_stale_round_is_not_recorded()
    {
        var rounds = new VolumeRounds(W, H, D);
        var model = new NearestSliceModel();
        var stale = rounds.Run(Volume, model, 2, Square(0, 0), null, default);
        Assert.Empty(rounds.Interactive);
        Assert.Null(rounds.Latest);
        Assert.Equal([2], stale.Interactive.Keys);

        rounds.Propagate(Volume, model, 5, Square(1, 1), null, default);
        Assert.Throws<InvalidOperationException>(() => rounds.Record(stale));
        Assert.Equal([5], rounds.Interactive.Keys);
    }

    [Fact]
    public void Restored_rounds_keep_their_order_and_refuse_what_does_not_fit_the_volume()
    {
        var saved = new VolumeRounds(W, H, D);
        var model = new NearestSliceModel();
        saved.Propagate(Volume, model, 5, Square(1, 1), null, default);
        saved.Propagate(Volume, model, 2, Square(0, 0), null, default);
        var restored = new VolumeRounds(W, H, D, saved.Interactive, saved.Latest);
        restored.Propagate(Volume, model, 0, Square(2, 2), null, default);
        Assert.Equal([5, 2, 0], model.Calls[^1].Interactive.Select(s => s.Slice));
        Assert.Same(saved.Latest, model.Calls[^1].Previous);

        Assert.Throws<ArgumentException>(() => new VolumeRounds(W, H, D + 1, [], saved.Latest));
        Assert.Throws<ArgumentOutOfRangeException>(() => new VolumeRounds(W, H, D, [new KeyValuePair<int, int[]>(D, [W * H])], null));
        Assert.Throws<ArgumentException>(() => new VolumeRounds(W, H, D + 1).Run(Volume, model, 0, Square(1, 1), null, default));
        Assert.Throws<ArgumentException>(() => saved.Run(Volume, model, 0, new Mask(W + 1, H), null, default));
    }

    /// <summary>A 2×2 square of foreground with its top-left pixel at (x, y).</summary>
    private static Mask Square(int x, int y)
    {
        var mask = new Mask(W, H);
        for (int dy = 0; dy < 2; dy++)
            for (int dx = 0; dx < 2; dx++) mask.Data[(y + dy) * W + x + dx] = 1;
        return mask;
    }

    /// <summary>
    /// Copies each slice's mask from its nearest interactive slice (ties to the lower one) and scores it
    /// 1 − 0.1 × the distance; remembers what it was given.
    /// </summary>
    private sealed class NearestSliceModel : IVolumeModel
    {
        public List<(IReadOnlyList<InteractiveSlice> Interactive, int Start, VolumePropagation? Previous)> Calls { get; } = [];

        public VolumePropagation Propagate(Volume volume, IReadOnlyList<InteractiveSlice> interactive, int start, VolumePropagation? previous,
            IProgress<VolumeProgress>? progress, CancellationToken cancellationToken)
        {
            Calls.Add((interactive, start, previous));
            int d = volume.Depth;
            var rle = new int[d][];
            var quality = new float[d];
            var foreground = new long[d];
            for (int z = 0; z < d; z++)
            {
                var nearest = interactive.OrderBy(s => Math.Abs(s.Slice - z)).ThenBy(s => s.Slice).First();
                rle[z] = CocoRle.Encode(nearest.Mask);
                quality[z] = 1 - 0.1f * Math.Abs(nearest.Slice - z);
                foreground[z] = nearest.Mask.CountForeground();
            }
            return new VolumePropagation(rle, quality, foreground, interactive.Select(s => s.Slice).Order().ToArray(), 0, "nearest slice");
        }
    }
}
