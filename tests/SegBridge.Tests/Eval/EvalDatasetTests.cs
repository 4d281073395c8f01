using SegBridge.Eval;
using SegBridge.Eval.Data;
using SegBridge.Eval.Reports;
using SegBridge.Imaging.Codecs;
using SegBridge.Imaging.Encodings;
using SegBridge.Imaging.Rasters;
using SegBridge.Models;
using SegBridge.Models.Classical;
using SegBridge.Tests.Imaging;

namespace SegBridge.Tests.Eval;

/// <summary>The dataset loader and the runner on folders the tests make themselves.</summary>
public class EvalDatasetTests
{
    private static string NewFolder()
    {
        var dir = Path.Combine(Path.GetTempPath(), "segbridge-eval-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(dir, "images"));
        Directory.CreateDirectory(Path.Combine(dir, "masks"));
        return dir;
    }

    private static void WriteImage(string dir, string name, int w, int h, Func<int, int, byte> grey)
    {
        var px = new byte[w * h * 3];
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) px[(y * w + x) * 3] = px[(y * w + x) * 3 + 1] = px[(y * w + x) * 3 + 2] = grey(x, y);
        File.WriteAllBytes(Path.Combine(dir, "images", name + ".png"), MaskPng.EncodeRgb(new ImageRaster(w, h, 3, px)));
    }

    private static byte[] Png8(int w, int h, Func<int, int, byte> v)
    {
        var rows = new byte[w * h];
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) rows[y * w + x] = v(x, y);
        return TestImages.RawPng(w, h, 8, 0, rows);
    }

    private static byte[] Png16(int w, int h, Func<int, int, int> v)
    {
        var rows = new byte[w * h * 2];
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) { int s = v(x, y); rows[(y * w + x) * 2] = (byte)(s >> 8); rows[(y * w + x) * 2 + 1] = (byte)s; }
        return TestImages.RawPng(w, h, 16, 0, rows);
    }

    private static bool InDisk(int x, int y, int cx, int cy, int r) => (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r;

    /// <summary>Three bright disks on dark ground with a 128 band around each, like GrabCut's masks.</summary>
    private static string DiskDataset()
    {
        var dir = NewFolder();
        for (int i = 0; i < 3; i++)
        {
            int cx = 30 + 5 * i, cy = 32, r = 14 + i;
            WriteImage(dir, $"d{i}", 64, 64, (x, y) => InDisk(x, y, cx, cy, r) ? (byte)200 : (byte)40);
            File.WriteAllBytes(Path.Combine(dir, "masks", $"d{i}.png"), Png8(64, 64, (x, y) => InDisk(x, y, cx, cy, r - 1) ? (byte)255 : InDisk(x, y, cx, cy, r + 1) ? (byte)128 : (byte)0));
        }
        return dir;
    }

    [Fact]
    public void Binary_masks_keep_the_ignore_band_and_honour_limit_seed_and_crop()
    {
        var dir = DiskDataset();
        var all = new EvalDataset(new DatasetOptions { Folder = dir });
        Assert.Equal(["d0", "d1", "d2"], all.Samples.Select(s => s.Name));
        var s0 = all.Load(all.Samples[0]);
        Assert.Equal(GroundTruth.Object, s0.Truth.Labels[32 * 64 + 30]);
        Assert.Equal(GroundTruth.Ignore, s0.Truth.Labels[32 * 64 + 30 + 14]);
        Assert.Equal(GroundTruth.Background, s0.Truth.Labels[0]);

        var shuffled = new EvalDataset(new DatasetOptions { Folder = dir, Seed = 3 }).Samples.Select(s => s.Name).ToList();
        Assert.Equal(shuffled, new EvalDataset(new DatasetOptions { Folder = dir, Seed = 3 }).Samples.Select(s => s.Name)); // reproducible
        Assert.Equal(["d0", "d1", "d2"], shuffled.Order());

        var cropped = new EvalDataset(new DatasetOptions { Folder = dir, Crop = new PixelRect(10, 12, 40, 100) });
        var c = cropped.Load(cropped.Samples[0]);
        Assert.Equal((40, 52), (c.Image.Width, c.Image.Height)); // clipped to the image
        Assert.Equal(GroundTruth.Object, c.Truth.Labels[(32 - 12) * 40 + 30 - 10]);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Sixteen_bit_instances_become_one_sample_each_and_class_masks_pick_a_class()
    {
        var dir = NewFolder();
        WriteImage(dir, "tile", 80, 40, (x, y) => 100);
        // Instances 1 and 300 (needs 16 bits) at (15, 20) and (60, 20).
        File.WriteAllBytes(Path.Combine(dir, "masks", "tile.png"), Png16(80, 40, (x, y) => InDisk(x, y, 15, 20, 5) ? 1 : InDisk(x, y, 60, 20, 6) ? 300 : 0));
        var ds = new EvalDataset(new DatasetOptions { Folder = dir, InstanceMargin = 4 });
        Assert.Equal([1, 300], ds.Samples.Select(s => s.InstanceId!.Value));
        var second = ds.Load(ds.Samples[1]);
        Assert.Equal("tile#300", second.Name);
        Assert.Equal((6 * 2 + 1 + 8, 6 * 2 + 1 + 8), (second.Truth.Width, second.Truth.Height));
        Assert.Equal(GroundTruth.Object, second.Truth.Labels[10 * second.Truth.Width + 10]);
        Assert.Equal(InDiskCount(6), second.Truth.ObjectPixels);

        // Class ids: object = pixels equal to the class (0 included, as WSSS4LUAD's tumour).
        File.WriteAllBytes(Path.Combine(dir, "masks", "tile.png"), Png8(80, 40, (x, y) => x < 20 ? (byte)0 : x < 50 ? (byte)1 : (byte)3));
        var cls = new EvalDataset(new DatasetOptions { Folder = dir, Kind = MaskKind.Class, ClassId = 0 });
        Assert.Equal(20 * 40, cls.Load(cls.Samples[0]).Truth.ObjectPixels);
        Assert.Throws<DatasetException>(() => new EvalDataset(new DatasetOptions { Folder = dir, Kind = MaskKind.Class }));
        Assert.Equal("dataset", Assert.Throws<DatasetException>(() => new EvalDataset(new DatasetOptions { Folder = dir + "-missing" })).Field);
        Directory.Delete(dir, true);
    }

    private static int InDiskCount(int r)
    {
        int n = 0;
        for (int y = -r; y <= r; y++) for (int x = -r; x <= r; x++) if (x * x + y * y <= r * r) n++;
        return n;
    }

    [Theory]
    [InlineData(EvalMode.Clicks)]
    [InlineData(EvalMode.Scribbles)]
    [InlineData(EvalMode.RealScribbles)]
    public void Runner_reaches_the_targets_on_easy_disks_and_writes_the_reports(EvalMode mode)
    {
        var dir = DiskDataset();
        Directory.CreateDirectory(Path.Combine(dir, "scribbles-set-1"));
        for (int i = 0; i < 3; i++)
            File.WriteAllBytes(Path.Combine(dir, "scribbles-set-1", $"d{i}.png"),
                Png8(64, 64, (x, y) => y == 32 && x >= 26 && x <= 38 ? (byte)1 : x == 2 ? (byte)2 : (byte)0));
        var models = new Dictionary<string, ISegmentationModel>
        {
            ["random-walker"] = ClassicalFamilies.All.Single(f => f.Family == "classical/random-walker").Create(ModelParameters.Empty, []),
            ["watershed"] = ClassicalFamilies.All.Single(f => f.Family == "classical/watershed").Create(ModelParameters.Empty, []),
        };
        var ds = new EvalDataset(new DatasetOptions { Folder = dir, ScribbleFolder = mode == EvalMode.RealScribbles ? "1" : null });
        var progress = new List<EvalProgress>();
        var results = new EvalRunner(new ModelSessionFactory(models)).Run(ds,
            new EvalOptions { Models = ["random-walker", "watershed"], Mode = mode, MaxInteractions = 5, Targets = [0.85, 0.9] },
            new SyncProgress(progress.Add));
        Assert.Equal(6, progress.Count);
        Assert.Equal(6, progress[^1].Total);
        foreach (var m in results.Models)
        {
            Assert.Equal(3, m.Summary.Samples);
            foreach (var s in m.Samples)
            {
                Assert.All(s.Noc, n => Assert.InRange(n, 1, 5));
                for (int t = 0; t < 2; t++) Assert.Equal(s.Failed[t], s.Ious.All(v => v < results.Targets[t]));
                Assert.Equal(s.Ious.Length, s.Seconds.Length);
            }
            Assert.Equal(5, m.Summary.MeanIouCurve.Length);
            Assert.True(m.Summary.MeanIouCurve[^1] >= 0.85, $"{mode} {m.Summary.Model}: {string.Join(", ", m.Summary.MeanIouCurve)}");
            Assert.Equal(m.Samples.Count(s => s.Failed[1]), m.Summary.NoF[1]);
        }
        var outDir = Path.Combine(dir, "out");
        var files = EvalReports.WriteAll(results, outDir, "test");
        Assert.All(files, f => Assert.True(new FileInfo(f).Length > 100, f));
        var md = File.ReadAllText(Path.Combine(outDir, EvalReports.MarkdownFile));
        var count = mode == EvalMode.Clicks ? "NoC" : "NoI";
        Assert.Contains($"| Model | {count}@85 | {count}@90 | NoF@85 | NoF@90 | Reached@85 (%) | Reached@90 (%) | {(count == "NoC" ? "SPC" : "SPI")} (s) | Time (s) |", md);
        var first = results.Models[0].Summary;
        string reached = (100.0 * (first.Samples - first.NoF[0]) / first.Samples).ToString("0", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains($"| {first.NoF[0]} | {first.NoF[1]} | {reached} |", md);
        Assert.Equal(ImageFormat.Png, ImageFormatSniffer.Detect(File.ReadAllBytes(Path.Combine(outDir, EvalReports.PlotFile))));
        Directory.Delete(dir, true);
    }

    private sealed class SyncProgress(Action<EvalProgress> report) : IProgress<EvalProgress>
    {
        public void Report(EvalProgress value) => report(value);
    }
}
