using SegBridge.Eval.Robots;
using SegBridge.Imaging.Geometry;

namespace SegBridge.Tests.Eval;

/// <summary>Zhang–Suen thinning (SegBridge.Imaging.Geometry.Skeleton), used by the scribble robot.</summary>
public class SkeletonTests
{
    [Fact]
    public void An_odd_height_bar_thins_to_its_middle_row()
    {
        int w = 40, h = 15;
        var skel = Skeleton.Thin(Shapes.Rect(w, h, 5, 4, 30, 7), w, h); // rows 4..10
        var rows = Enumerable.Range(0, w * h).Where(i => skel[i] != 0).Select(i => i / w).ToList();
        Assert.NotEmpty(rows);
        Assert.True(rows.Count(r => r == 7) >= 20, "the medial row 7 carries the skeleton");
        Assert.All(rows, r => Assert.InRange(r, 4, 10));
    }

    [Fact]
    public void Thin_lines_and_single_pixels_stay()
    {
        int w = 20, h = 5;
        var line = Shapes.Rect(w, h, 2, 2, 15, 1);
        Assert.Equal(line, Skeleton.Thin(line, w, h));
        var dot = new byte[w * h];
        dot[2 * w + 10] = 1;
        Assert.Equal(dot, Skeleton.Thin(dot, w, h));
    }

    [Fact]
    public void A_ring_keeps_its_loop()
    {
        int w = 41, c = 20;
        var ring = Shapes.Minus(Shapes.Disk(w, w, c, c, 15), Shapes.Disk(w, w, c, c, 8));
        var skel = Skeleton.Thin(ring, w, w);
        var px = Enumerable.Range(0, w * w).Where(i => skel[i] != 0).ToList();
        Assert.All(px, p => Assert.Equal(1, ring[p]));                   // a subset of the shape
        ErrorRegions.Components8(skel, w, w, out int components);
        Assert.Equal(1, components);                                     // one piece
        // The hole survives: the background inside is not 4-connected to the outside (an 8-connected
        // curve separates 4-connected background).
        Assert.False(Reaches4(skel, w, w, c * w + c, 0));
        Assert.True(px.Count < ring.Count(v => v != 0) / 3, "thinned");
    }

    [Fact]
    public void Everything_touching_the_border_is_thinned_too()
    {
        int w = 10, h = 7;
        var skel = Skeleton.Thin(Shapes.Rect(w, h, 0, 0, w, h), w, h);
        Assert.InRange(skel.Count(v => v != 0), 1, w);
    }

    private static bool Reaches4(byte[] wall, int w, int h, int from, int to)
    {
        var seen = new bool[w * h];
        var stack = new Stack<int>([from]);
        seen[from] = true;
        while (stack.Count > 0)
        {
            int p = stack.Pop();
            if (p == to) return true;
            int x = p % w, y = p / w;
            foreach (var (nx, ny) in new[] { (x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1) })
            {
                if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
                int q = ny * w + nx;
                if (seen[q] || wall[q] != 0) continue;
                seen[q] = true;
                stack.Push(q);
            }
        }
        return false;
    }
}
