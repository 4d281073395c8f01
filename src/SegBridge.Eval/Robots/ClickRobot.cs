using SegBridge.Imaging.Geometry;
using SegBridge.Imaging.Interactions;
using SegBridge.Imaging.Rasters;

namespace SegBridge.Eval.Robots;

/// <summary>A robot click: the interaction, the pixel it lands on and the error-region distance there.</summary>
public sealed record RobotClick(Click Click, int PixelX, int PixelY, double Distance);

/// <summary>
/// The automatic click of the NoC protocol (G-BRS, RITM, CGAM §3.3). After each prediction: take the
/// false-negative and false-positive regions (ignored truth pixels excluded), pad them by one pixel so
/// the image border counts as boundary, take the exact Euclidean distance transform of each, and click
/// at the arg-max of the larger one — positive when the largest false-negative distance exceeds the
/// largest false-positive distance (a tie goes negative, as in RITM's strict comparison), first in raster
/// order on ties, never on a pixel clicked before. The click sits at the pixel centre and its radius is
/// that distance. On an empty prediction the first click therefore lands at the object's deepest
/// interior point.
/// </summary>
public sealed class ClickRobot
{
    private readonly HashSet<int> _clicked = [];

    /// <summary>Pixels (y * width + x) clicked so far.</summary>
    public IReadOnlyCollection<int> Clicked => _clicked;

    /// <summary>The next click, or null when no unclicked error pixel is left. The click is remembered.</summary>
    public RobotClick? Next(Mask prediction, GroundTruth truth)
    {
        var click = Propose(prediction, truth, _clicked);
        if (click is not null) _clicked.Add(click.PixelY * truth.Width + click.PixelX);
        return click;
    }

    /// <summary>The click the protocol makes, given the pixels already clicked; pure.</summary>
    public static RobotClick? Propose(Mask prediction, GroundTruth truth, IReadOnlySet<int>? clicked = null)
    {
        int w = truth.Width, h = truth.Height;
        var (fn, fp) = ErrorRegions.Compute(prediction, truth);
        var (fnIndex, fnDist) = Deepest(fn, w, h, clicked);
        var (fpIndex, fpDist) = Deepest(fp, w, h, clicked);
        if (fnIndex < 0 && fpIndex < 0) return null;
        bool positive = fnDist > fpDist;
        int index = positive ? fnIndex : fpIndex;
        double dist = positive ? fnDist : fpDist;
        int x = index % w, y = index / w;
        return new RobotClick(new Click(x + 0.5, y + 0.5, positive, dist), x, y, dist);
    }

    /// <summary>First raster-order arg-max of the padded distance transform over unclicked pixels; (-1, 0) when none.</summary>
    private static (int Index, double Distance) Deepest(byte[] region, int w, int h, IReadOnlySet<int>? clicked)
    {
        var dt = DistanceTransform.InsideDistance(new Mask(w, h, region), padBorder: true);
        int best = -1;
        float bestDist = 0;
        for (int i = 0; i < dt.Length; i++)
        {
            float d = dt[i];
            if (d > bestDist && (clicked is null || !clicked.Contains(i))) { best = i; bestDist = d; }
        }
        return (best, bestDist);
    }
}
