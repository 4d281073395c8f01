using System.Diagnostics;
using System.Text.Json;
using SegBridge.Imaging.Encodings;
using SegBridge.Imaging.Geometry;
using SegBridge.Imaging.Rasters;
using SegBridge.Models.Torch;
using SegBridge.Models.Torch.Brs;
using SegBridge.Models.Torch.Networks;
using SegBridge.Models.Torch.Weights;
using SegBridge.Tests.Slides;
using SegBridge.Tests.Support;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace SegBridge.Tests.Models.Torch.Shared;

/// <summary>
/// The engine's click models against the PyTorch reference (tests/torch/click_network.py on Debian's python3-torch
/// 1.13), both in float64: the same weights file, the same GlaS crop and four clicks given one after another to one
/// session (the first a plain pass, then three refined clicks with θ and one Adam carried, early stop for CGAM and
/// G-BRS). After every click the logits must agree within <see cref="Tolerance"/> (<see cref="CgamTolerance"/> for CGAM) and both sides must have taken the
/// same number of Adam steps. Two networks: the earlier click-hist (f-BRS fusion layout, <see cref="TorchTestSupport.FusionLayoutClickWeights"/>) and a 5-channel ImageNet
/// ResNet-18 layout made here from the shipped guide (<see cref="WideNetwork"/>).
/// </summary>
public sealed class PyTorchParityTests(ITestOutputHelper output, PyTorchParityTests.WideNetwork wide) : IClassFixture<PyTorchParityTests.WideNetwork>
{
    /// <summary>
    /// In float32 this comparison is chaotic: libtorch 2.10 and PyTorch 1.13 sum convolutions in different orders
    /// (~1e-6 apart), Adam divides every gradient by its own running magnitude so rounding-level differences become
    /// full ±lr steps, and with the early stop a threshold decision can flip and change the number of steps (CI saw
    /// CGAM 0.06 apart). In float64 that rounding is ~1e-16 relative. Measured here (2-core x86, AVX2), largest
    /// |engine − PyTorch| over the four clicks: none, f-BRS, G-BRS ≤ 1.3e-14 on both layouts; CGAM 7.6e-12 (fusion layout)
    /// and 9.2e-10 (ImageNet layout). CGAM is not worse matched but worse conditioned: in PyTorch alone, multiplying
    /// the image by (1 + 1e-15·N(0,1)) moves its float64 logits by 7e-12 (fusion layout) and up to 8e-8 (an ImageNet-layout
    /// network made like <see cref="WideNetwork"/>), against ≤ 4e-14 for the other methods. The cause is Adam's
    /// normalisation: ~11 % of ψ's weight gradients are 1e-10–1e-6, near ε = 1e-8 where the update's slope in the
    /// gradient reaches lr/(4ε) ≈ 1e6 (with ε = 1e-3 the same perturbation moves CGAM by 1e-13). Hence two bounds,
    /// each ≥ 10× the worst sensitivity seen and ≥ 1000× the measured difference. What a real difference looks like
    /// (PyTorch against itself, fusion-layout network): Adam ε 1e-7 instead of 1e-8 moves the logits by 1e-3–3e-2, IN ε
    /// 1e-6 instead of 1e-5 by 4e-2, dropping the hinge's 1e-5 normaliser by 1e-6 (G-BRS) / 3e-5 (CGAM), the
    /// learning rate changed by one part in 10⁶ by 4e-6; a missing bias or a different step count is far larger.
    /// </summary>
    private const double Tolerance = 1e-10;
    private const double CgamTolerance = 1e-6;

    /// <summary>
    /// float64 is slow on 2 cores (Debian's PyTorch has only the reference BLAS for it: ~2.5 s per refinement step
    /// at 400×400), so both layouts run on a 256×256 crop (m is 16×16, G-BRS has a 16×16 bias map) with 10 Adam steps
    /// per click at most instead of 20: enough for three refined clicks, one of them stopping early after several
    /// steps and one running all of them. The loop, losses and Adam are the same at any size and count.
    /// </summary>
    private const int Size = 256;
    private const int Iterations = 10;

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var layout in new[] { "fusion", "imagenet" })
            foreach (var method in RefinementSettings.MethodNames) data.Add(layout, method);
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Float64_logits_and_steps_after_each_click_match_pytorch(string layout, string method)
    {
        Skip.If(RepoPaths.Data is null, RepoPaths.NoDataMessage);
        var missing = TorchTestSupport.PyTorchMissing();
        Skip.If(missing is not null, missing);
        var weights = layout == "fusion" ? Environment.GetEnvironmentVariable("SEGBRIDGE_PARITY_WEIGHTS") ?? TorchTestSupport.FusionLayoutClickWeights : wide.Path;
        Assert.True(File.Exists(weights), $"click weights missing: {weights}");

        // A crop of testA_1 with glands and stroma (the wide network's is centred in the shipped one's 400×400 crop).
        var (image, truth) = TorchTestSupport.GlasCrop(172, 132, Size);
        var clicks = FourClicks(truth, Size);
        output.WriteLine($"{layout} {method}: clicks {string.Join(", ", clicks.Select(c => $"({c.X},{c.Y},{(c.Positive ? "+" : "-")})"))}");
        var dir = Directory.CreateTempSubdirectory("segbridge-parity-").FullName;
        try
        {
            var png = Path.Combine(dir, "crop.png");
            File.WriteAllBytes(png, MaskPng.EncodeRgb(image));
            var clicksJson = Path.Combine(dir, "clicks.json");
            File.WriteAllText(clicksJson, JsonSerializer.Serialize(clicks.Select(c => new { x = c.X, y = c.Y, positive = c.Positive, radius = c.Radius })));
            var referenceOut = Path.Combine(dir, "reference.f64");
            var clock = Stopwatch.StartNew();
            var (code, stdout, err) = SlideTools.Run("/usr/bin/python3",
                [TorchTestSupport.ReferenceScript, "--weights", weights, "--image", png, "--clicks", clicksJson, "--method", method,
                 "--double", "--iterations", Iterations.ToString(), "--out", referenceOut],
                900_000);
            Assert.True(code == 0, "reference failed: " + err);
            double referenceSeconds = clock.Elapsed.TotalSeconds;
            var reference = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(File.ReadAllBytes(referenceOut)).ToArray();
            using var report = JsonDocument.Parse(stdout.Trim().Split('\n')[^1]);
            var referenceSteps = report.RootElement.GetProperty("steps").EnumerateArray().Select(e => e.GetInt32()).ToArray();

            clock.Restart();
            var loaded = ClickModelWeights.Load(weights);
            var network = loaded.Network;
            network.to(ScalarType.Float64);
            network.eval();
            foreach (var p in network.parameters()) p.requires_grad = false;
            var predictor = new BrsPredictor(network, CPU, new RefinementSettings { Method = RefinementSettings.ParseMethod(method), Iterations = Iterations }, loaded.CgamStart);
            using var x = ImageTensors.Normalised(image).to(ScalarType.Float64);
            RefinerState? theta = null;
            int plane = Size * Size;
            var engineSteps = new int[clicks.Count];
            var differences = new double[clicks.Count];
            for (int k = 1; k <= clicks.Count; k++)
            {
                var step = predictor.Predict(x, clicks.Take(k).ToList(), theta, CancellationToken.None);
                engineSteps[k - 1] = (step.State?.Steps ?? 0) - (theta?.Steps ?? 0);
                theta = step.State;
                Assert.Equal(ScalarType.Float64, step.Logits.dtype);
                var ours = step.Logits.contiguous().data<double>().ToArray();
                double maxDiff = 0, maxAbs = 0;
                for (int i = 0; i < plane; i++)
                {
                    double r = reference[(k - 1) * plane + i];
                    maxDiff = Math.Max(maxDiff, Math.Abs(ours[i] - r));
                    maxAbs = Math.Max(maxAbs, Math.Abs(r));
                }
                differences[k - 1] = maxDiff;
                output.WriteLine($"{layout} {method} click {k}: Adam steps engine {engineSteps[k - 1]} / pytorch {referenceSteps[k - 1]}, max |engine - pytorch| = {maxDiff:G3} (logit range ±{maxAbs:F1})");
            }
            output.WriteLine($"{layout} {method}: pytorch {referenceSeconds:F1} s, engine {clock.Elapsed.TotalSeconds:F1} s for {clicks.Count} clicks at {Size}×{Size} in float64");

            Assert.Equal(referenceSteps, engineSteps);
            double tolerance = method == "cgam" ? CgamTolerance : Tolerance;
            for (int k = 0; k < clicks.Count; k++)
                Assert.True(differences[k] < tolerance, $"{layout} {method} click {k + 1}: logits differ by {differences[k]:G3} (tolerance {tolerance:G})");
            // The comparison must have exercised what the method does: a plain first click, refinement afterwards, and for
            // CGAM both an early stop after more than one step and a click that used every step.
            Assert.Equal(0, engineSteps[0]);
            if (method == "none") Assert.All(engineSteps, s => Assert.Equal(0, s));
            else Assert.All(engineSteps.Skip(1), s => Assert.InRange(s, 1, Iterations));
            if (method == "f-brs") Assert.All(engineSteps.Skip(1), s => Assert.Equal(Iterations, s));
            if (method == "cgam")
            {
                Assert.Contains(engineSteps.Skip(1), s => s < Iterations);
                Assert.Contains(engineSteps.Skip(1), s => s > 1);
            }
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>
    /// A positive click at the deepest gland pixel, a negative one at the deepest stroma pixel, then two that
    /// contradict the network (a positive click deep in the stroma, a negative one deep in a gland, each more than
    /// 60 px from the first click of its region), so that refinement has to work and takes a varying number of steps.
    /// Depths count the crop's border as boundary.
    /// </summary>
    private static List<ClickPoint> FourClicks(Mask truth, int size)
    {
        var inverted = new Mask(size, size, truth.Data.Select(v => v == 0 ? (byte)1 : (byte)0).ToArray());
        var inside = DistanceTransform.InsideDistance(truth, padBorder: true);
        var outside = DistanceTransform.InsideDistance(inverted, padBorder: true);
        static bool Far(int i, int j, int size) => Math.Abs(i % size - j % size) + Math.Abs(i / size - j / size) > 60;
        int a = ArgMax(inside, _ => true);
        int b = ArgMax(outside, _ => true);
        int c = ArgMax(outside, i => Far(i, b, size));
        int d = ArgMax(inside, i => Far(i, a, size));
        return [new(a % size, a / size, true, 0), new(b % size, b / size, false, 0), new(c % size, c / size, true, 0), new(d % size, d / size, false, 0)];
    }

    private static int ArgMax(float[] values, Func<int, bool> allowed)
    {
        int best = -1;
        for (int i = 0; i < values.Length; i++)
            if (!float.IsInfinity(values[i]) && allowed(i) && (best < 0 || values[i] > values[best])) best = i;
        return best;
    }

    /// <summary>
    /// A 5-channel click network of the ImageNet ResNet-18 layout: the shipped guide-hist-imagenet widened
    /// (<see cref="GuideStart.Widen"/>), its guidance convolution given small random weights (N(0, 0.05²), fixed
    /// seed) so that the click maps matter, CGAM's θ₀ from <see cref="CgamRefiner.NewStart"/>, saved in float32 to a
    /// temporary weights file that both sides load.
    /// </summary>
    public sealed class WideNetwork : IDisposable
    {
        private readonly string _dir = Directory.CreateTempSubdirectory("segbridge-wide-").FullName;
        private readonly Lazy<string> _path;

        public WideNetwork() => _path = new Lazy<string>(Build);

        public string Path => _path.Value;

        private string Build()
        {
            var guide = ClickModelWeights.Load(System.IO.Path.Combine(RepoPaths.Root, "plugin-manifests", "weights", "guide-hist-imagenet.safetensors"));
            var network = GuideStart.Widen(guide.Network.Config with { InputChannels = 5 }, guide.Network);
            using (no_grad())
            {
                using var generator = new Generator(11);
                var guidance = network.named_parameters().Single(p => p.name == "guidance.weight").parameter;
                guidance.copy_(randn(guidance.shape, generator: generator) * 0.05);
            }
            var path = System.IO.Path.Combine(_dir, "click-imagenet-test.safetensors");
            ClickModelWeights.Save(path, network, CgamRefiner.NewStart(network.FeatureChannels, 1),
                new Dictionary<string, string> { ["segbridge.training"] = """{"tool":"PyTorchParityTests.WideNetwork"}""" }, halfPrecision: false);
            return path;
        }

        public void Dispose()
        {
            try { Directory.Delete(_dir, true); } catch (IOException) { }
        }
    }
}
