using System.CommandLine;
using SegBridge.Engine.Api;
using SegBridge.Models;
using SegBridge.Protocol;
using SegBridge.Protocol.Messages;

namespace SegBridge.Host.Commands;

/// <summary>
/// What `propagate` and `suggest` share: the volume argument, the model and the state folder that carries a
/// volume's rounds from one run to the next, and the checks that turn a wrong argument into a message naming it.
/// </summary>
internal sealed class VolumeVerbs
{
    public EngineSettings Settings { get; } = new();
    public Argument<string> Volume { get; } = new("VOLUME") { Description = "NIfTI volume (.nii or .nii.gz)" };
    public Option<string> Model { get; } = new("--model") { Description = "Volumetric model id (e.g. mem3d-brats; see `segbridge models list`)", Required = true };
    public Option<string?> StateDir { get; } = new("--state-dir")
    {
        Description = "Folder that keeps the volume's rounds (interactive slices, latest propagation), so the next propagate or suggest on this volume with this model continues them",
    };

    public void AddTo(Command command)
    {
        command.Arguments.Add(Volume);
        command.Options.Add(Model);
        command.Options.Add(StateDir);
        Settings.AddTo(command);
    }

    /// <summary>An in-process engine as a viewer sees it, with the volume open and the model checked to be volumetric.</summary>
    public async Task<(EngineApi Api, ImageInfo Image, string ModelId)> OpenAsync(ParseResult parse, CancellationToken ct)
    {
        var state = parse.GetValue(StateDir) is { } dir ? Path.GetFullPath(dir) : null;
        var api = new EngineApi(Settings.Build(parse, o => o with { StateDirectory = state }));
        await api.InitializeAsync(new InitializeParams { ClientName = "segbridge-cli", ProtocolVersion = ProtocolInfo.Version }, ct);
        var modelId = parse.GetValue(Model)!;
        var model = await api.DescribeModelAsync(new ModelIdParams { ModelId = modelId }, ct);
        if (model.Model.Dimensions != "3d")
        {
            var volumeModels = (await api.ListModelsAsync(null, ct)).Models.Where(m => m.Dimensions == "3d").Select(m => m.Id).Order();
            throw new CommandException($"--model '{modelId}' segments 2D images and cannot propagate through a volume; volumetric models: {string.Join(", ", volumeModels)}");
        }
        var path = parse.GetValue(Volume)!;
        if (!File.Exists(path)) throw new CommandException($"VOLUME: file '{path}' does not exist");
        var image = await api.OpenImageAsync(new OpenImageParams { Path = Path.GetFullPath(path) }, ct);
        if (image.Depth is null) throw new CommandException($"VOLUME '{path}' is a 2D image ({image.Width}×{image.Height}); give a NIfTI volume");
        return (api, image, modelId);
    }

    public static void CheckSlice(int slice, ImageInfo volume)
    {
        if (slice < 0 || slice >= volume.Depth)
            throw new CommandException($"--slice is {slice}; allowed range is [0, {volume.Depth - 1}] (the volume has {volume.Depth} axial slices)");
    }

    public static Option<string> RankOption() => new("--rank")
    {
        Description = $"How the next slice is ranked: {string.Join(" or ", SliceSuggestion.RankingNames)}", DefaultValueFactory = _ => SliceSuggestion.Name(SliceRanking.LowestQuality),
    };

    public static string CheckRank(string rank) => SliceSuggestion.TryParse(rank, out _) ? rank
        : throw new CommandException($"--rank is '{rank}'; allowed: {string.Join(", ", SliceSuggestion.RankingNames)}");

    /// <summary>`next slice to segment: N (…)` on stderr.</summary>
    public static void PrintSuggestion(SuggestSliceResult s) => Console.Error.WriteLine(FormattableString.Invariant(
        $"segbridge: next slice to segment: {s.Slice} (quality {s.Quality:0.00}, {s.ExpectedErrors:0} pixels expected wrong, rank {s.Rank}; interactive slices {string.Join(", ", s.InteractiveSlices)})"));
}
