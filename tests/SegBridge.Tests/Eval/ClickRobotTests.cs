using SegBridge.Eval;
using SegBridge.Eval.Robots;

namespace SegBridge.Tests.Eval;

public class ClickRobotTests
{
    [Fact]
    public void First_click_on_a_disk_is_its_centre_with_radius_r()
    {
        var disk = Shapes.Disk(41, 41, 20, 20, 10);
        var click = ClickRobot.Propose(Shapes.Empty(41, 41), Shapes.Truth(41, 41, disk))!;
        Assert.True(click.Click.Positive);
        Assert.Equal((20, 20), (click.PixelX, click.PixelY));
        Assert.Equal((20.5, 20.5), (click.Click.X, click.Click.Y)); // pixel centre
        // The nearest pixel outside a digital disk of radius 10 is (21, 30): sqrt(1 + 100).
        Assert.Equal(Math.Sqrt(101), click.Click.Radius, 4);
        Assert.Equal(Shapes.BruteDistance(disk, 41, 41, 20, 20), click.Distance, 4);
    }

    [Fact]
    public void First_click_on_a_ring_lies_on_its_medial_circle()
    {
        int w = 61, c = 30;
        var ring = Shapes.Minus(Shapes.Disk(w, w, c, c, 20), Shapes.Disk(w, w, c, c, 10));
        var click = ClickRobot.Propose(Shapes.Empty(w, w), Shapes.Truth(w, w, ring))!;
        double fromCentre = Math.Sqrt(Math.Pow(click.PixelX - c, 2) + Math.Pow(click.PixelY - c, 2));
        Assert.True(click.Click.Positive);
        Assert.InRange(fromCentre, 14, 16);              // medial circle: (10 + 20) / 2
        Assert.InRange(click.Click.Radius, 4.5, 6);      // half the ring's width
        Assert.Equal(Shapes.BruteDistance(ring, w, w, click.PixelX, click.PixelY), click.Distance, 4);
        // The deepest ring pixel, first in raster order: no earlier pixel is as deep.
        for (int i = 0; i < click.PixelY * w + click.PixelX; i++)
            if (ring[i] != 0) Assert.True(Shapes.BruteDistance(ring, w, w, i % w, i / w) < click.Distance);
    }

    [Fact]
    public void The_larger_missed_blob_gets_the_click_then_the_smaller_one()
    {
        int w = 70, h = 32;
        var big = Shapes.Disk(w, h, 45, 15, 9);
        var small = Shapes.Disk(w, h, 15, 15, 5);
        var truth = Shapes.Truth(w, h, Shapes.Union(big, small));
        var first = ClickRobot.Propose(Shapes.Empty(w, h), truth)!;
        Assert.Equal((45, 15, true), (first.PixelX, first.PixelY, first.Click.Positive));
        var second = ClickRobot.Propose(Shapes.M(w, h, big), truth)!;
        Assert.Equal((15, 15, true), (second.PixelX, second.PixelY, second.Click.Positive));
        Assert.Equal(Math.Sqrt(26), second.Click.Radius, 4); // nearest outside pixel of a radius-5 disk: (16, 20)
    }

    [Fact]
    public void A_deeper_false_positive_gets_a_negative_click_at_its_centre()
    {
        int w = 60, h = 30;
        var obj = Shapes.Rect(w, h, 5, 5, 10, 10);
        var extra = Shapes.Rect(w, h, 30, 5, 9, 9);          // false positive, centre (34, 9), depth 5
        var pred = Shapes.M(w, h, Shapes.Union(Shapes.Rect(w, h, 5, 5, 10, 9), extra)); // misses one row: depth 1
        var click = ClickRobot.Propose(pred, Shapes.Truth(w, h, obj))!;
        Assert.False(click.Click.Positive);
        Assert.Equal((34, 9), (click.PixelX, click.PixelY));
        Assert.Equal(5, click.Click.Radius, 4);
    }

    [Fact]
    public void Equal_depths_go_negative_as_in_the_strict_comparison()
    {
        int w = 40, h = 20;
        var obj = Shapes.Rect(w, h, 2, 2, 5, 5);
        var fp = Shapes.Rect(w, h, 20, 2, 5, 5);
        var click = ClickRobot.Propose(Shapes.M(w, h, fp), Shapes.Truth(w, h, obj))!;
        Assert.False(click.Click.Positive);
        Assert.Equal((22, 4), (click.PixelX, click.PixelY));
    }

    [Fact]
    public void Ties_take_the_first_pixel_in_raster_order()
    {
        int w = 40, h = 30;
        var right = Shapes.Rect(w, h, 30, 5, 5, 5);   // top, to the right: centre (32, 7)
        var left = Shapes.Rect(w, h, 5, 20, 5, 5);    // lower, to the left
        var click = ClickRobot.Propose(Shapes.Empty(w, h), Shapes.Truth(w, h, Shapes.Union(right, left)))!;
        Assert.Equal((32, 7), (click.PixelX, click.PixelY));
    }

    [Fact]
    public void Never_clicks_the_same_pixel_twice()
    {
        int w = 20, h = 20;
        var truth = Shapes.Truth(w, h, Shapes.Rect(w, h, 5, 5, 5, 5));
        var robot = new ClickRobot();
        var stuck = Shapes.Empty(w, h); // a model that ignores the click
        var a = robot.Next(stuck, truth)!;
        var b = robot.Next(stuck, truth)!;
        Assert.Equal((7, 7), (a.PixelX, a.PixelY));
        Assert.Equal(3, a.Distance, 4);
        // Every neighbour of the centre has depth 2; the first in raster order is (6, 6).
        Assert.Equal((6, 6), (b.PixelX, b.PixelY));
        Assert.Equal(2, b.Distance, 4);
        for (int i = 0; i < 23; i++) robot.Next(stuck, truth);
        Assert.Null(robot.Next(stuck, truth)); // 25 pixels, all clicked
        Assert.Equal(25, robot.Clicked.Count);
    }

    [Fact]
    public void The_ignore_band_is_not_an_error()
    {
        int w = 50, h = 50;
        var disk = Shapes.Disk(w, h, 25, 25, 10);
        var band = Shapes.Minus(Shapes.Disk(w, h, 25, 25, 14), disk);
        var truth = Shapes.Truth(w, h, disk, band);
        var pred = Shapes.M(w, h, Shapes.Union(disk, band)); // differs from the truth only on the band
        Assert.Null(ClickRobot.Propose(pred, truth));
        Assert.Equal(1.0, Metrics.Iou(pred, truth));
        // A real false positive beside the band still gets clicked, and the band is its boundary.
        var extra = Shapes.Rect(w, h, 40, 21, 9, 9);
        var click = ClickRobot.Propose(Shapes.M(w, h, Shapes.Union(disk, band, extra)), truth)!;
        Assert.False(click.Click.Positive);
        Assert.Equal((44, 25), (click.PixelX, click.PixelY));
    }

    [Fact]
    public void The_image_border_counts_as_boundary()
    {
        int w = 20, h = 10;
        var all = Shapes.Rect(w, h, 0, 0, w, h);       // the object fills the image
        var click = ClickRobot.Propose(Shapes.Empty(w, h), Shapes.Truth(w, h, all))!;
        Assert.Equal(5, click.Distance, 4);            // padded: row 4 is 5 from the virtual row -1 and from row 10
        Assert.Equal((4, 4), (click.PixelX, click.PixelY));
    }
}
