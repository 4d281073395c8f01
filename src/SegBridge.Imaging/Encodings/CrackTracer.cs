using SegBridge.Imaging.Rasters;

namespace SegBridge.Imaging.Encodings;

/// <summary>
/// Follows the "cracks" between foreground and background pixels on the pixel-corner lattice, so
/// the rings run exactly along pixel edges. Every boundary edge is directed with the foreground on
/// its left in y-up terms (left of direction (dx, dy) is (-dy, dx)): pixel (x, y)'s top edge runs
/// +x, right edge +y, bottom edge -x, left edge -y. In image coordinates (y down) that gives outer
/// rings a POSITIVE shoelace sum Σ(x_i·y_{i+1} − x_{i+1}·y_i) and holes a negative one: i.e.
/// counter-clockwise / clockwise when the numbers are plotted with y pointing up, as RFC 7946
/// wants (on the displayed image, where y points down, outer rings look clockwise).
/// </summary>
internal static class CrackTracer
{
    // Direction codes in turning order: each +1 is a left turn in y-up terms (towards the foreground side).
    private const int East = 0, South = 1, West = 2, North = 3;

    public sealed record Ring(int Component, long DoubleArea, List<(int X, int Y)> Points);

    public static List<Ring> Trace(Mask mask)
    {
        int w = mask.Width, h = mask.Height, vw = w + 1;
        var labels = PixelComponents.Label4(mask, out _);
        var edges = BoundaryEdges(mask, vw);
        var used = new byte[edges.Length];
        int[] step = [1, vw, -1, -vw];
        var rings = new List<Ring>();

        for (int v = 0; v < edges.Length; v++)
        {
            while ((edges[v] & ~used[v]) != 0)
            {
                int startDir = System.Numerics.BitOperations.TrailingZeroCount(edges[v] & ~used[v]);
                var corners = new List<(int, int)>();
                int cur = v, dir = startDir;
                do
                {
                    used[cur] |= (byte)(1 << dir);
                    int next = cur + step[dir];
                    int turn = NextDirection(edges[next], dir, labels, next % vw, next / vw, w);
                    if (turn != dir) corners.Add((next % vw, next / vw));
                    cur = next; dir = turn;
                } while (cur != v || dir != startDir);

                // The closing corner is the start vertex; put it first and repeat it last.
                corners.Insert(0, corners[^1]);
                rings.Add(new Ring(labels[InteriorPixel(v % vw, v / vw, startDir, w)], DoubleArea(corners), corners));
            }
        }
        return rings;
    }

    /// <summary>
    /// At an ordinary corner only one way out exists. A saddle vertex (two foreground pixels
    /// touching only diagonally) has two: a left turn hugs the pixel we came along, a right turn
    /// crosses over to the diagonal pixel. When the two pixels are different 4-components we must
    /// hug, or their rings would merge. When they are the same component (connected elsewhere) we
    /// cross over: the outline then splits into an outer ring and a hole that touch at this one
    /// vertex — valid OGC/GeoJSON — instead of one self-touching ring that shapely and friends
    /// reject. Either way every ring is simple and the rasterised area is the same.
    /// </summary>
    private static int NextDirection(byte outgoing, int arrival, int[] labels, int x, int y, int w)
    {
        int left = (arrival + 1) & 3, right = (arrival + 3) & 3;
        bool hasLeft = (outgoing & (1 << left)) != 0, hasRight = (outgoing & (1 << right)) != 0;
        if (hasLeft && hasRight) return SaddleJoinsOneComponent(labels, x, y, w) ? right : left;
        if (hasLeft) return left;
        if ((outgoing & (1 << arrival)) != 0) return arrival;
        if (hasRight) return right;
        throw new InvalidOperationException("crack tracer reached a dead end; the edge lattice is inconsistent");
    }

    /// <summary>At a saddle vertex (x, y): do its two diagonal foreground pixels belong to the same component?</summary>
    private static bool SaddleJoinsOneComponent(int[] labels, int x, int y, int w)
    {
        // Only called at saddles, which never lie on the image border, so all four pixels exist.
        int topLeft = labels[(y - 1) * w + x - 1], bottomRight = labels[y * w + x];
        return topLeft != 0 ? topLeft == bottomRight : labels[(y - 1) * w + x] == labels[y * w + x - 1];
    }

    private static byte[] BoundaryEdges(Mask mask, int vw)
    {
        int w = mask.Width, h = mask.Height;
        var edges = new byte[(long)vw * (h + 1)];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                if (!mask[x, y]) continue;
                if (y == 0 || !mask[x, y - 1]) edges[y * vw + x] |= 1 << East;
                if (x == w - 1 || !mask[x + 1, y]) edges[y * vw + x + 1] |= 1 << South;
                if (y == h - 1 || !mask[x, y + 1]) edges[(y + 1) * vw + x + 1] |= 1 << West;
                if (x == 0 || !mask[x - 1, y]) edges[(y + 1) * vw + x] |= 1 << North;
            }
        return edges;
    }

    /// <summary>The foreground pixel on the left of the edge leaving vertex (x, y) in direction dir.</summary>
    private static int InteriorPixel(int x, int y, int dir, int w) => dir switch
    {
        East => y * w + x,
        South => y * w + x - 1,
        West => (y - 1) * w + x - 1,
        _ => (y - 1) * w + x,
    };

    private static long DoubleArea(List<(int X, int Y)> ring)
    {
        long sum = 0;
        for (int i = 0; i + 1 < ring.Count; i++)
            sum += (long)ring[i].X * ring[i + 1].Y - (long)ring[i + 1].X * ring[i].Y;
        return sum;
    }
}
