using SegBridge.Engine.Compute;
using SegBridge.Engine.Images;
using SegBridge.Engine.Registry;
using SegBridge.Engine.Sessions;
using SegBridge.Eval;
using SegBridge.Eval.Data;
using SegBridge.Eval.Reports;
using SegBridge.Imaging.Encodings;
using SegBridge.Imaging.Geometry;
using SegBridge.Imaging.Interactions;
using SegBridge.Imaging.Rasters;
using SegBridge.Models;
using SegBridge.Protocol;
using SegBridge.Protocol.Messages;

namespace SegBridge.Engine.Api;

/// <summary>
/// eval/run and `segbridge eval`: checks the request, runs the harness of SegBridge.Eval through the
/// engine's own sessions (so seconds per interaction include what a client's interaction costs: a slot of
/// the compute queue, the model, the session's RLE journal and the reply's mask encoding) and maps the results
/// to protocol records. Every bad argument is a <see cref="ProtocolException"/> naming its field.
/// </summary>
/// <param name="showRoots">Whether a refused folder's error lists the engine's allowed folders (not for WebSocket clients).</param>
public sealed class EvalService(SegBridgeEngine engine, bool showRoots = true)
{
    /// <summary>A checked request, ready to run.</summary>
    public sealed record Plan(EvalDataset Dataset, EvalOptions Options, bool IncludeSamples, string? Out);

    public Plan Check(EvalRunParams? p)
    {
        if (p is null) throw Errors.Argument("dataset", "eval/run needs at least dataset and models");
        var folder = Errors.Required(p.Dataset, "dataset", "/data/grabcut");
        if (!Directory.Exists(folder)) throw Errors.Argument("dataset", $"dataset folder '{folder}' does not exist");
        folder = Allowed(folder, "dataset");
        if (p.InitialMasks is { } initialFolder && Directory.Exists(initialFolder)) Allowed(initialFolder, "initialMasks");
        if (p.ScribbleSet is { } scribbles && Path.IsPathRooted(scribbles) && Directory.Exists(scribbles)) Allowed(scribbles, "scribbleSet");
        if (p.Out is { } outDir) Allowed(Path.GetDirectoryName(Path.GetFullPath(outDir).TrimEnd('/')) ?? "/", "out");
        if (p.Models is not { Length: > 0 } models || models.Any(string.IsNullOrWhiteSpace))
            throw Errors.Argument("models", "models must list at least one model id, e.g. [\"random-walker\"]", KnownModels());
        var entries = models.Select(id => ModelLookup.Ready(engine.Registry, id, "models")).ToList();
        var mode = EvalModes.Parse(p.Mode ?? "clicks")
            ?? throw Errors.Argument("mode", $"unknown mode '{p.Mode}'; allowed: {string.Join(", ", EvalModes.Names)}, {VolumeEvalRequests.Mode}", $"{string.Join(", ", EvalModes.Names)}, {VolumeEvalRequests.Mode}");
        var kind = EvalModes.InteractionKind(mode);
        foreach (var entry in entries.Where(e => !e.Interactions.Contains(kind)))
            throw Errors.Make(ErrorCodes.UnsupportedInteraction, $"model '{entry.Manifest.Id}' does not take {kind} interactions, which {EvalModes.Name(mode)} mode needs", "models", string.Join(", ", entry.Interactions));
        int max = p.Max ?? 20;
        if (max is < 1 or > 1000) throw Errors.Argument("max", $"max {max} must be in 1..1000", "1..1000");
        var targets = p.Targets ?? [0.85, 0.90];
        if (targets.Length == 0 || targets.Any(t => !(t > 0 && t <= 1)))
            throw Errors.Argument("targets", $"targets [{string.Join(", ", targets)}] must be IoU values in (0, 1], e.g. [0.85, 0.9]", "(0, 1]");
        if (p.Limit is < 1) throw Errors.Argument("limit", $"limit {p.Limit} must be at least 1", ">= 1");
        PixelRect? crop = null;
        if (p.Crop is { } c)
        {
            if (c.Length != 4 || c[2] <= 0 || c[3] <= 0 || c[0] < 0 || c[1] < 0)
                throw Errors.Argument("crop", "crop must be [x, y, width, height] with x, y >= 0 and a positive size", "[x, y, width, height]");
            crop = new PixelRect(c[0], c[1], c[2], c[3]);
        }
        var maskKind = (p.MaskKind ?? (p.ClassId is null ? "auto" : "class")) switch
        {
            "auto" => MaskKind.Auto, "binary" => MaskKind.Binary, "instances" => MaskKind.Instances, "class" => MaskKind.Class,
            var other => throw Errors.Argument("maskKind", $"unknown mask kind '{other}'", "auto, binary, instances, class"),
        };
        if (maskKind == MaskKind.Class && p.ClassId is null) throw Errors.Argument("classId", "class masks need classId (WSSS4LUAD tumour = 0)");
        if (p.IgnoreValue is < -1 or > 65535) throw Errors.Argument("ignoreValue", $"ignoreValue {p.IgnoreValue} must be -1 (none) or a mask value 0..65535");
        if (p.InstanceMargin is < 0 or > 10000) throw Errors.Argument("instanceMargin", $"instanceMargin {p.InstanceMargin} must be in 0..10000");
        if (mode == EvalMode.RealScribbles && string.IsNullOrWhiteSpace(p.ScribbleSet))
            throw Errors.Argument("scribbleSet", "real-scribbles mode needs scribbleSet (e.g. scribbles-set-1, or a folder of 0/1/2 label PNGs)");
        if (p.InitialMasks is { } im && !Directory.Exists(im)) throw Errors.Argument("initialMasks", $"initial mask folder '{im}' does not exist");
        if (p.InitialMasks is not null && p.GuideModel is not null) throw Errors.Argument("guideModel", "give initialMasks or guideModel, not both");
        if (p.GuideModel is { } guide && !(engine.Registry.TryGet(guide, out var g) && g.IsReady))
            throw Errors.Make(ErrorCodes.UnknownModel, $"guide model '{guide}' is not a ready model; known: {KnownModels()}", "guideModel", KnownModels());
        (double, double)? range = null;
        if (p.InitialIou is { } r)
        {
            if (r.Length != 2 || !(r[0] >= 0 && r[0] <= r[1] && r[1] <= 1)) throw Errors.Argument("initialIou", "initialIou must be [min, max] with 0 <= min <= max <= 1", "[0.5, 0.7]");
            range = (r[0], r[1]);
        }
        if (p.ScribbleShare is { } share && !(share > 0 && share <= 1)) throw Errors.Argument("scribbleShare", $"scribbleShare {share} must be in (0, 1] (0.0005 = 0.05 %)");
        if (p.ClickRadius is { } radius && !(radius >= 0 && radius <= 1000)) throw Errors.Argument("clickRadius", $"clickRadius {radius} must be in 0..1000");

        EvalDataset dataset;
        try
        {
            dataset = new EvalDataset(new DatasetOptions
            {
                Folder = Path.GetFullPath(folder), Kind = maskKind, ClassId = p.ClassId,
                IgnoreValue = p.IgnoreValue is -1 ? null : p.IgnoreValue ?? 128,
                Limit = p.Limit, Seed = p.Seed, Crop = crop, InstanceMargin = p.InstanceMargin ?? 16,
                ScribbleFolder = mode == EvalMode.RealScribbles ? p.ScribbleSet : null,
                InitialMaskFolder = p.InitialMasks, NamePattern = p.ImagePattern, Alternate = p.Alternate, MaxPixels = engine.Options.MaxImagePixels,
            });
        }
        catch (DatasetException e) { throw Errors.Argument(e.Field, e.Message); }
        var options = new EvalOptions
        {
            Models = models, Mode = mode, MaxInteractions = max, Targets = targets,
            ScribbleShare = p.ScribbleShare ?? SegBridge.Eval.Robots.ScribbleRobot.DefaultShare,
            ClickRadius = p.ClickRadius, GuideModel = p.GuideModel, InitialIouRange = range,
        };
        return new Plan(dataset, options, p.IncludeSamples ?? true, p.Out);
    }

    public EvalResults Run(Plan plan, IProgress<EvalProgress>? progress, CancellationToken ct)
    {
        try { return new EvalRunner(new EngineSessionFactory(engine)).Run(plan.Dataset, plan.Options, progress, ct); }
        catch (DatasetException e) { throw Errors.Argument(e.Field, e.Message); }
    }

    /// <summary>
    /// eval/run: check, run as a stepwise job of the compute queue (no request timeout; each interaction takes a slot
    /// of its own, so other clients' clicks get in between), write reports when asked, map.
    /// </summary>
    public async Task<EvalRunResult> RunAsync(EvalRunParams? p, ComputeClient? client, CancellationToken ct)
    {
        var plan = Check(p);
        var results = await ErrorMapping.GuardAsync(() => engine.Compute.RunAsync(new ComputeJob(JobKind.Stepwise, client), token => Run(plan, null, token), ct));
        string[]? files = null;
        if (plan.Out is { } dir)
        {
            try { files = [.. EvalReports.WriteAll(results, dir)]; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw Errors.Argument("out", $"cannot write reports to '{dir}': {e.Message}");
            }
        }
        return ToDto(results, plan.IncludeSamples, files);
    }

    public static EvalRunResult ToDto(EvalResults r, bool includeSamples, string[]? files) => new()
    {
        Dataset = r.Dataset, Mode = r.Mode, Max = r.MaxInteractions, Targets = r.Targets, Protocol = r.Protocol,
        WallSeconds = Math.Round(r.WallSeconds, 3), SkippedSamples = r.SkippedSamples, Files = files,
        Models = r.Models.Select(m => new EvalModelSummary
        {
            Model = m.Summary.Model, Samples = m.Summary.Samples, Noc = m.Summary.MeanNoc, Nof = m.Summary.NoF,
            Spc = m.Summary.SecondsPerInteraction, TotalSeconds = m.Summary.TotalSeconds, Interactions = m.Summary.Interactions,
            MeanIou = m.Summary.MeanIouCurve, MeanDice = m.Summary.MeanDiceCurve, MeanInitialIou = m.Summary.MeanInitialIou,
        }).ToArray(),
        Samples = !includeSamples ? [] : r.Models.SelectMany(m => m.Samples.Select(s => new EvalSampleResult
        {
            Model = m.Summary.Model, Name = s.Name, Width = s.Width, Height = s.Height, InitialIou = s.InitialIou,
            Ious = s.Ious, Dices = s.Dices, Seconds = s.Seconds, Noc = s.Noc, Failed = s.Failed, Stop = s.Stop,
        })).ToArray(),
    };

    /// <summary>
    /// A folder the client named, resolved and checked against the engine's path roots (as images/open
    /// does); any folder when the engine has no roots (the CLI).
    /// </summary>
    internal string Allowed(string folder, string field)
    {
        var roots = engine.Options.AllowedRoots;
        try
        {
            return PathPolicy.Resolve(folder, roots) ?? throw Errors.Argument(field, $"{field} folder '{folder}' does not exist");
        }
        catch (UnauthorizedAccessException e)
        {
            throw ErrorMapping.PathNotAllowed(e, field, showRoots);
        }
    }

    private string KnownModels() => ModelLookup.KnownIds(engine.Registry);

    /// <summary>Engine sessions (not listed in the session store) behind the harness's session interface.</summary>
    private sealed class EngineSessionFactory(SegBridgeEngine engine) : ISessionFactory
    {
        private int _next;

        public IReadOnlyList<string> InteractionsOf(string modelId) => Entry(modelId).Interactions;

        public IInteractiveSession Open(string modelId, ImageRaster image)
            => new EngineSession(engine, new Session($"eval-{Interlocked.Increment(ref _next)}", new StoredImage("eval", image, null, null, new ImageOrigin.Bytes()), Entry(modelId),
                image, RegionMapping.Identity, new SessionRegion(0, 0, image.Width, image.Height, 1)));

        public Mask Predict(string modelId, ImageRaster image, CancellationToken ct)
            => Entry(modelId).Model!.Segment(image, [], new ModelSessionState(), ct).Mask;

        private ModelEntry Entry(string id) => engine.Registry.TryGet(id, out var e) && e.IsReady ? e
            : throw Errors.Make(ErrorCodes.UnknownModel, $"model '{id}' is not a ready model", "models");
    }

    private sealed class EngineSession(SegBridgeEngine engine, Session session) : IInteractiveSession
    {
        public MaskStep Apply(Interaction interaction, CancellationToken ct)
        {
            engine.Compute.OnSlot(() => { session.Apply(interaction, ct); return true; }, ct);
            _ = CocoRle.Encode(session.CurrentMask); // the reply's mask, as sessions/interact sends it
            return new MaskStep(session.CurrentMask, session.LastNotes);
        }

        // A learned model's per-session cache holds native tensors (image, features, θ after every click): give
        // them back as each sample ends, as a closed engine session does, not whenever the collector runs.
        public void Dispose() => session.ReleaseModelState();
    }
}
