using System.Text.Json.Nodes;
using SegBridge.Models.Torch.Networks;
using SegBridge.Models.Torch.Weights;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SegBridge.Models.Torch.Training;

/// <summary>
/// A long run's resumable state every N iterations: OUT/checkpoints/NAME/iter-NNNNNNN/ with the network (float32),
/// Adam's moments, the iteration, the running loss and the curve so far. Written to a temporary folder and
/// renamed, so a run killed mid-write leaves the previous checkpoint whole. Checkpoints are working files of a
/// run, never shipped: the final weights and record are what a run leaves for the repository.
/// </summary>
public static class TrainingCheckpoint
{
    /// <param name="TrainingSeconds">Training time of the run up to the checkpoint, earlier resumed parts included (null in checkpoints written before it was kept).</param>
    public sealed record State(int Iteration, double RunningLoss, TrainingCurve Curve, double? TrainingSeconds, string Folder);

    private const string Network = "network.safetensors", Optimizer = "optimizer.bin", StateFile = "state.json";

    public static string Save(string folder, int iteration, ClickNetwork network, OptimizerHelper optimizer, double runningLoss, TrainingCurve curve, double? trainingSeconds)
    {
        Directory.CreateDirectory(folder);
        var final = Path.Combine(folder, $"iter-{iteration:D7}");
        var temp = final + ".partial";
        if (Directory.Exists(temp)) Directory.Delete(temp, true);
        Directory.CreateDirectory(temp);
        SafeTensors.Write(Path.Combine(temp, Network), network.state_dict(), new Dictionary<string, string> { [ClickModelWeights.ConfigKey] = network.Config.ToJson() }, halfPrecision: false);
        optimizer.save_state_dict(Path.Combine(temp, Optimizer));
        var state = new JsonObject { ["iteration"] = iteration, ["runningLoss"] = runningLoss, ["network"] = network.Config.ToJson(), ["curve"] = curve.ToCheckpointJson() };
        if (trainingSeconds is { } seconds) state["trainingSeconds"] = Math.Round(seconds, 1);
        File.WriteAllText(Path.Combine(temp, StateFile), state.ToJsonString());
        if (Directory.Exists(final)) Directory.Delete(final, true);
        Directory.Move(temp, final);
        return final;
    }

    /// <summary>
    /// <see cref="Restore"/> for a run of <paramref name="iterations"/> iterations: refuses a checkpoint past the
    /// run's end. Resuming at the checkpoint's own iteration count trains no further: it finishes a run stopped on evidence.
    /// </summary>
    public static State RestoreForRun(string path, ClickNetwork network, OptimizerHelper optimizer, int iterations)
    {
        var state = Restore(path, network, optimizer);
        if (state.Iteration > iterations)
            throw new TrainingCheckpointException($"the checkpoint is at iteration {state.Iteration}; the run has {iterations} (give at least {state.Iteration})");
        return state;
    }

    /// <summary>
    /// Loads a checkpoint folder (or the newest one inside a run's checkpoint folder) into a network of the same
    /// shape and its optimizer; refuses a missing one or one of another shape with <see cref="TrainingCheckpointException"/>.
    /// </summary>
    public static State Restore(string path, ClickNetwork network, OptimizerHelper optimizer)
    {
        var folder = File.Exists(Path.Combine(path, StateFile)) ? path
            : Directory.Exists(path) ? Directory.GetDirectories(path, "iter-*").Where(d => !d.EndsWith(".partial", StringComparison.Ordinal)).Order().LastOrDefault()
                ?? throw new TrainingCheckpointException($"'{path}' holds no checkpoint (iter-NNNNNNN folders)")
            : throw new TrainingCheckpointException($"'{path}' does not exist");
        var state = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, StateFile)))!;
        var shape = state["network"]!.GetValue<string>();
        if (ClickNetworkConfig.FromJson(shape) != network.Config)
            throw new TrainingCheckpointException($"the checkpoint {Path.GetFileName(folder)} is a network {shape}; this run trains {network.Config.ToJson()}");
        ClickModelWeights.LoadState(network, SafeTensors.Read(Path.Combine(folder, Network)).Tensors, folder);
        optimizer.load_state_dict(Path.Combine(folder, Optimizer));
        return new State(state["iteration"]!.GetValue<int>(), state["runningLoss"]!.GetValue<double>(), TrainingCurve.FromCheckpointJson(state["curve"]),
            state["trainingSeconds"]?.GetValue<double>(), folder);
    }
}

/// <summary>A checkpoint to resume from is missing or does not belong to this run; the message says which.</summary>
public sealed class TrainingCheckpointException(string message) : ArgumentException(message);
