using System.Globalization;
using System.Text.Json;
using SegBridge.Engine.Training;
using SegBridge.Models.Training;
using SegBridge.Protocol;
using SegBridge.Protocol.Messages;

namespace SegBridge.Engine.Api;

/// <summary>train/run: the protocol face of <see cref="TrainingService"/>, the same trainers `segbridge train` runs.</summary>
public sealed partial class EngineApi
{
    public async Task<TrainRunResult> RunTrainingAsync(TrainRunParams? p = null, CancellationToken ct = default)
    {
        RequireInitialized();
        var request = ToTrainingRequest(p);
        var progress = ProgressNotifications.Training(request.Family, ProgressNotifications.CheckToken(p!.ProgressToken), notifier);
        try
        {
            var outcome = await ErrorMapping.GuardAsync(() => engine.Training.RunAsync(request, progress, _compute, ct));
            return new TrainRunResult
            {
                Family = request.Family, Name = request.Name, Weights = outcome.Weights, Record = outcome.Record,
                Manifests = [.. outcome.Manifests], Seconds = Math.Round(outcome.Seconds, 3),
            };
        }
        catch (Exception e) when (ErrorMapping.FromTraining(e) is { } error) { throw error; }
    }

    private TrainingRequest ToTrainingRequest(TrainRunParams? p)
    {
        if (p is null) throw Errors.Argument("family", $"train/run needs family, data, out and name; families: {string.Join(", ", engine.Training.Families)}");
        var family = Errors.Required(p.Family, "family", "brs-click");
        var name = Errors.Required(p.Name, "name", "my-model");
        var output = Errors.Required(p.Out, "out", "/data/models");
        var options = new Dictionary<string, string>();
        foreach (var (key, value) in p.Options ?? [])
            options[key] = OptionText(key, value);
        return new TrainingRequest
        {
            Family = family, Name = name, Output = Path.GetFullPath(output), Options = options, Command = "train/run",
            Data = [.. (p.Data ?? []).Select(d => Errors.Required(d, "data", "/data/glas:pattern=train_*"))],
            ClassData = [.. (p.ClassData ?? []).Select(d => Errors.Required(d, "classData", "/data/ebhi"))],
        };
    }

    /// <summary>
    /// An option's value as invariant text, whichever encoding carried it: JSON gives a JsonElement, MessagePack a
    /// boxed primitive. Objects, arrays and null are refused by name.
    /// </summary>
    private static string OptionText(string key, object? value) => value switch
    {
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString()!,
        JsonElement { ValueKind: JsonValueKind.Number } e => e.GetRawText(),
        JsonElement { ValueKind: JsonValueKind.True } => "true",
        JsonElement { ValueKind: JsonValueKind.False } => "false",
        string s => s,
        bool b => b ? "true" : "false",
        IConvertible c and not char => Convert.ToString(c, CultureInfo.InvariantCulture)!,
        _ => throw Errors.Argument("options." + key, $"option '{key}' must be a string, number or boolean", "a string, number or boolean"),
    };
}
