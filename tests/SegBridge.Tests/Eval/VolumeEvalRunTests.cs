using System.Text.Json;
using SegBridge.Eval.Volumes;
using SegBridge.Imaging.Encodings;
using SegBridge.Imaging.Interactions;
using SegBridge.Imaging.Rasters;
using SegBridge.Imaging.Volumes;
using SegBridge.Models;
using SegBridge.Tests.Volumes;
using SegBridge.Tests.Support;

namespace SegBridge.Tests.Eval;

/// <summary>
/// The volume evaluation entry point in-process, with models that need no torch: a slice model that fills the
/// robot's box and a volume model that copies each slice from its nearest interactive slice.
/// </summary>
public sealed class VolumeEvalRunTests : IDisposable
{
    private const int W = 24, H = 20, D = 9;
    private readonly string _root = Directory.CreateTempSubdirectory("segbridge-volume-run").FullName;

    public VolumeEvalRunTests()
    {
        var dir = Directory.CreateDirectory(Path.Combine(_root, "case_a")).FullName;
        var image = SyntheticVolumes.Sphere(W, H, D, 0, 0, 0);
        NiftiWriter.Write(image, Path.Combine(dir, "Flair.nii.gz"));
        NiftiWriter.WriteMask(Path.Combine(dir, "OTMultiClass.nii.gz"), image, SyntheticVolumes.SphereMask(W, H, D, -1));
        Directory.CreateDirectory(Path.Combine(_root, "empty_folder"));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void A_run_writes_results_and_table_and_returns_what_it_wrote()
    {
        var volumeModel = new NearestSliceVolume();
        var options = new VolumeEvalOptions
        {
            Dataset = _root, ModelId = "fake-3d", Output = Path.Combine(_root, "out"), Rounds = 3, SliceChoices = ["oracle", "quality"],
            Command = "test", Threads = 1,
        };
        var progress = new List<VolumeEval.Progress>();
        var result = VolumeEvalRun.Run(new BoxFill(), volumeModel, options, new Inline<VolumeEval.Progress>(progress.Add), default);

        Assert.Equal(["case_a oracle 1", "case_a oracle 2", "case_a oracle 3", "case_a quality 1", "case_a quality 2", "case_a quality 3"],
            progress.Select(p => $"{p.Case} {p.Choice} {p.Round}"));
        Assert.Contains(result.Skipped, s => s.StartsWith("empty_folder:"));
        Assert.Equal(2, result.Runs.Count);
        var oracle = result.MeanDicePerRound["oracle"];
        Assert.Equal(3, oracle.Length);
        Assert.True(oracle[2] > oracle[0], $"more rounds should help the oracle: {string.Join(", ", oracle)}");
        // Round 1 is the largest slice; every later round gives the model one more interactive slice.
        Assert.Equal([1, 2, 3, 1, 2, 3], volumeModel.InteractiveCounts);

        using var json = JsonDocument.Parse(File.ReadAllText(result.ResultsPath));
        var root = json.RootElement;
        Assert.Equal(["command", "model", "dataset", "imagePattern", "labelPattern", "cases", "rounds", "interaction", "slicePrior", "seed", "threads", "meanDicePerRound", "runs"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("fake-3d", root.GetProperty("model").GetString());
        Assert.Equal(oracle, root.GetProperty("meanDicePerRound").GetProperty("oracle").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal(File.ReadAllText(result.TablePath), result.Table);
        Assert.Contains("| oracle | ", result.Table);
    }

    /// <summary>Fills the robot's box: on a sphere's slice, most of the disc and a little more.</summary>
    private sealed class BoxFill : ISegmentationModel
    {
        public SegmentationResult Segment(ImageRaster image, IReadOnlyList<Interaction> interactions, ModelSessionState state, CancellationToken cancellationToken)
        {
            var box = (Box)interactions.Single();
            var mask = new Mask(image.Width, image.Height);
            for (int y = (int)box.Y0; y < box.Y1; y++)
                for (int x = (int)box.X0; x < box.X1; x++) mask.Data[y * image.Width + x] = 1;
            return new SegmentationResult(mask, null, null);
        }
    }

    private sealed class NearestSliceVolume : IVolumeModel
    {
        public List<int> InteractiveCounts { get; } = [];

        public VolumePropagation Propagate(Volume volume, IReadOnlyList<InteractiveSlice> interactive, int start, VolumePropagation? previous,
            IProgress<VolumeProgress>? progress, CancellationToken cancellationToken)
        {
            InteractiveCounts.Add(interactive.Count);
            var nearest = Enumerable.Range(0, volume.Depth).Select(z => interactive.MinBy(s => Math.Abs(s.Slice - z))!).ToArray();
            return new VolumePropagation(nearest.Select(s => CocoRle.Encode(s.Mask)).ToArray(), nearest.Select((s, z) => s.Slice == z ? 1f : 0.5f).ToArray(),
                nearest.Select(s => s.Mask.CountForeground()).ToArray(), interactive.Select(s => s.Slice).Order().ToArray(), 0, "nearest slice");
        }
    }

    private sealed class Inline<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
