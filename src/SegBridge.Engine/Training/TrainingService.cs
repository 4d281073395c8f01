using NLog;
using SegBridge.Engine.Compute;
using SegBridge.Engine.Images;
using SegBridge.Models.Training;

namespace SegBridge.Engine.Training;

/// <summary>
/// train/run: the families' trainers behind one door, for clients of a running engine (the CLI's `train` calls the
/// same trainers in-process). Every folder a request names is checked against the engine's path roots first,
/// as images/open and eval/run check theirs, and the run is one long job of the compute queue (one device slot,
/// no request timeout, never superseded), so a training run and the clicks of other clients share the CPU
/// instead of oversubscribing it.
/// </summary>
public sealed class TrainingService(IReadOnlyList<IModelTrainer> trainers, EngineOptions options, ComputeQueue compute)
{
    private static readonly Logger Log = LogManager.GetCurrentClassLogger();
    private readonly TrainerCatalog catalog = new(trainers);

    public IReadOnlyList<string> Families => catalog.Families;

    /// <param name="client">The connection it counts against in the compute queue's bounds.</param>
    public Task<TrainingOutcome> RunAsync(TrainingRequest request, IProgress<TrainingProgress>? progress, ComputeClient? client, CancellationToken ct)
    {
        var trainer = catalog.For(request);
        foreach (var folder in request.Data) CheckReadable(DataFolder(folder), "data");
        foreach (var folder in request.ClassData) CheckReadable(DataFolder(folder), "classData");
        if (request.Options.TryGetValue("guideWeights", out var guide)) CheckReadable(guide, "guideWeights");
        if (request.Options.TryGetValue("resume", out var checkpoint)) CheckReadable(checkpoint, "resume");
        CheckWritable(request.Output);
        return compute.RunAsync(new ComputeJob(JobKind.Long, client), token =>
        {
            Log.Info("training {0} '{1}' into {2}", request.Family, request.Name, request.Output);
            var outcome = trainer.Train(request, progress, token);
            Log.Info("trained {0} '{1}' in {2:F0} s: {3}", request.Family, request.Name, outcome.Seconds, outcome.Weights);
            return outcome;
        }, ct);
    }

    /// <summary>The folder of a data spec <c>DIR[:pattern=GLOB][:class=ID][:alternate=even|odd]</c>.</summary>
    private static string DataFolder(string spec)
    {
        int colon = spec.IndexOf(":", StringComparison.Ordinal);
        return colon < 0 ? spec : spec[..colon];
    }

    /// <summary>A missing path is the trainer's to report (it names what it looked for); one outside the roots is refused here.</summary>
    private void CheckReadable(string path, string field)
    {
        if (options.AllowedRoots is not { } roots || string.IsNullOrWhiteSpace(path)) return;
        try { PathPolicy.Resolve(path, roots); }
        catch (UnauthorizedAccessException e) { throw new TrainingPathException(field, e.Message); }
    }

    /// <summary>The output folder may not exist yet: its nearest existing ancestor must lie inside the roots.</summary>
    private void CheckWritable(string output)
    {
        if (options.AllowedRoots is not { } roots) return;
        if (string.IsNullOrWhiteSpace(output)) throw new TrainingOptionException("out", "out must name the manifest folder to write", "a folder path");
        var existing = Path.GetFullPath(output);
        while (!Directory.Exists(existing) && Path.GetDirectoryName(existing) is { } parent) existing = parent;
        try { PathPolicy.Resolve(existing, roots); }
        catch (UnauthorizedAccessException e) { throw new TrainingPathException("out", e.Message); }
    }
}

/// <summary>A folder a training request names lies outside the engine's path roots.</summary>
public sealed class TrainingPathException(string fieldName, string message) : UnauthorizedAccessException(message)
{
    public string Field => fieldName;
}
