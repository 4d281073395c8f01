using SegBridge.Models;

namespace SegBridge.Tests.Volumes;

/// <summary>The next-slice rule of volumes/suggest and eval's quality choices.</summary>
public sealed class SliceSuggestionTests
{
    // Slice 0 interactive; 1: a few false-positive pixels scored very low; 2: a large half-found object scored 0.5;
    // 3: empty mask with the lowest score of all; 4: a good slice.
    private static readonly float[] Quality = [1f, 0.1f, 0.5f, 0.01f, 0.9f];
    private static readonly long[] Foreground = [500, 20, 2000, 0, 1500];

    [Fact]
    public void Lowest_quality_skips_interactive_and_empty_slices()
        => Assert.Equal(1, SliceSuggestion.Suggest(Quality, Foreground, [0], SliceRanking.LowestQuality));

    [Fact]
    public void Most_expected_errors_prefers_a_large_half_found_object_to_a_few_false_positives()
    {
        Assert.Equal(2, SliceSuggestion.Suggest(Quality, Foreground, [0], SliceRanking.MostExpectedErrors));
        Assert.Equal(2000 * 0.5 / 0.5, SliceSuggestion.ExpectedErrors(0.5f, 2000), 6);
        Assert.Equal(20 * 0.95 / 0.05, SliceSuggestion.ExpectedErrors(0f, 20), 6); // q floored at 0.05
    }

    [Fact]
    public void With_every_mask_empty_the_lowest_score_wins_and_with_every_slice_interactive_nothing()
    {
        long[] empty = [0, 0, 0, 0, 0];
        Assert.Equal(3, SliceSuggestion.Suggest(Quality, empty, [0], SliceRanking.MostExpectedErrors));
        Assert.Null(SliceSuggestion.Suggest(Quality, Foreground, [0, 1, 2, 3, 4], SliceRanking.LowestQuality));
        Assert.Throws<ArgumentException>(() => SliceSuggestion.Suggest(Quality, [1, 2], [], SliceRanking.LowestQuality));
    }

    [Fact]
    public void Ranking_names_round_trip_and_unknown_names_are_refused()
    {
        foreach (var ranking in Enum.GetValues<SliceRanking>())
        {
            Assert.True(SliceSuggestion.TryParse(SliceSuggestion.Name(ranking), out var parsed));
            Assert.Equal(ranking, parsed);
        }
        Assert.False(SliceSuggestion.TryParse("worst", out _));
        Assert.False(SliceSuggestion.TryParse(null, out _));
    }
}
