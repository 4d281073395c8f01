using System.CommandLine;
using SegBridge.Protocol.Messages;

namespace SegBridge.Host.Commands;

/// <summary>
/// `segbridge suggest`: the next slice to segment on a volume that `propagate --state-dir` has propagated, as
/// volumes/suggest ranks it; the slice number alone on stdout (for scripts), the details on stderr.
/// </summary>
internal static class SuggestCommand
{
    public static Command Create()
    {
        var volume = new VolumeVerbs();
        var rank = VolumeVerbs.RankOption();
        var command = new Command("suggest", "Name the next slice to segment on a volume propagated before with `propagate --state-dir`") { rank };
        volume.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var ranking = VolumeVerbs.CheckRank(parse.GetValue(rank)!);
            if (parse.GetValue(volume.StateDir) is null)
                throw new CommandException("give --state-dir, the folder an earlier `segbridge propagate --state-dir` kept the volume's rounds in");
            var (api, image, modelId) = await volume.OpenAsync(parse, ct);
            // Any slice will do: the rounds belong to the volume and model, not to a session's slice.
            var session = await api.CreateSessionAsync(new CreateSessionParams { ImageId = image.ImageId, ModelId = modelId, Slice = 0 }, ct);
            try
            {
                var suggestion = await api.SuggestSliceAsync(new SuggestSliceParams { SessionId = session.SessionId, Rank = ranking }, ct);
                VolumeVerbs.PrintSuggestion(suggestion);
                Console.Out.WriteLine(suggestion.Slice);
            }
            finally { await api.CloseSessionAsync(new SessionParams { SessionId = session.SessionId }, CancellationToken.None); }
            return 0;
        });
        return command;
    }
}
