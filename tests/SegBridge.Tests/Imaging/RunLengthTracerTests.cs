using SegBridge.Imaging.Encodings;
using SegBridge.Imaging.Rasters;

namespace SegBridge.Tests.Imaging;

/// <summary>The run-length tracer must give what MaskPolygons.Trace gives on the raster: same rings, same fill.</summary>
public class RunLengthTracerTests
{
    public static TheoryData<int> Seeds => new() { 1, 2, 3, 4, 5, 6, 7, 8 };

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Random_masks_trace_to_the_same_polygons_as_the_raster_tracer(int seed)
    {
        var rng = new Random(seed);
        int w = rng.Next(1, 60), h = rng.Next(1, 60);
        var mask = new Mask(w, h);
        double density = rng.NextDouble();
        for (int i = 0; i < mask.Data.Length; i++) mask.Data[i] = rng.NextDouble() < density ? (byte)1 : (byte)0;
        AssertSame(mask);
    }

    [Fact]
    public void Saddles_holes_and_nested_islands_match()
    {
        string[] rows =
        [
            "##..##....",
            "##..##.###",
            "..##...#.#",
            "..##...###",
            "######....",
            "#....#.#.#",
            "#.##.#..#.",
            "#....#.#.#",
            "######....",
        ];
        var mask = new Mask(rows[0].Length, rows.Length);
        for (int y = 0; y < rows.Length; y++)
            for (int x = 0; x < rows[y].Length; x++) mask.Data[y * mask.Width + x] = rows[y][x] == '#' ? (byte)1 : (byte)0;
        AssertSame(mask);
    }

    [Fact]
    public void Small_objects_and_holes_are_removed_by_area()
    {
        var mask = new Mask(40, 40);
        void Fill(int x0, int y0, int x1, int y1, byte v) { for (int y = y0; y < y1; y++) for (int x = x0; x < x1; x++) mask.Data[y * 40 + x] = v; }
        Fill(2, 2, 30, 30, 1);
        Fill(5, 5, 7, 7, 0);      // 4-pixel hole: filled
        Fill(10, 10, 20, 20, 0);  // 100-pixel hole: kept
        Fill(34, 34, 36, 36, 1);  // 4-pixel speck: dropped
        var polygons = RunLengthTracer.Trace(RunLengthMask.FromMask(mask), 0, minObjectArea: 10, minHoleArea: 10);
        Assert.Single(polygons);
        Assert.Equal(2, polygons[0].Length);
        var filled = MaskPolygons.Rasterize(polygons, 40, 40);
        Assert.Equal(28 * 28 - 100, filled.CountForeground());
    }

    private static void AssertSame(Mask mask)
    {
        var expected = MaskPolygons.Trace(mask, 0);
        var actual = RunLengthTracer.Trace(RunLengthMask.FromMask(mask));
        Assert.Equal(expected.Length, actual.Length);
        Assert.Equal(expected.Select(p => p.Length).Order(), actual.Select(p => p.Length).Order());
        Assert.Equal(expected.SelectMany(p => p).Select(r => r.Length).Order(), actual.SelectMany(p => p).Select(r => r.Length).Order());
        Assert.Equal(mask.Data, MaskPolygons.Rasterize(actual, mask.Width, mask.Height).Data);
        Assert.Equal(mask.Data, RunLengthMask.FromMask(mask).ToMask().Data);
    }
}
