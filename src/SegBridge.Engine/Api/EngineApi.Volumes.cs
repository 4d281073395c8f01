using SegBridge.Engine.Compute;
using SegBridge.Models;
using SegBridge.Protocol.Messages;

namespace SegBridge.Engine.Api;

/// <summary>volumes/propagate and volumes/suggest: a volume session's mask carried through the whole volume, and the slice to correct next.</summary>
public sealed partial class EngineApi
{
    /// <summary>
    /// Checked under the session's lock (a concurrent interaction cannot change the mask half-way), then run as an
    /// interactive job: the user waits for it, so the request timeout applies; nothing supersedes it.
    /// </summary>
    public async Task<PropagateVolumeResult> PropagateVolumeAsync(PropagateVolumeParams? p = null, CancellationToken ct = default)
    {
        RequireInitialized();
        var session = FindSession(p?.SessionId);
        var token = ProgressNotifications.CheckToken(p!.ProgressToken);
        var format = VolumeResults.CheckFormat(p.Format);
        var plan = await WithSession(session, ct, () => Task.FromResult(ErrorMapping.Guard(() => Volumes.Check(session, engine.Registry))));
        var progress = ProgressNotifications.Volume(session.Id, plan.Volume.Width, plan.Volume.Height, token, notifier);
        return await ErrorMapping.GuardAsync(() => engine.Compute.RunAsync(new ComputeJob(JobKind.Interactive, _compute),
            cancel => VolumeResults.Propagated(plan, format, Volumes.Run(plan, progress, cancel)), ct));
    }

    public Task<SuggestSliceResult> SuggestSliceAsync(SuggestSliceParams? p = null, CancellationToken ct = default)
    {
        RequireInitialized();
        var session = FindSession(p?.SessionId);
        var ranking = SliceRanking.LowestQuality;
        if (p?.Rank is not null && !SliceSuggestion.TryParse(p.Rank, out ranking))
            throw Errors.Argument("rank", $"unknown slice ranking '{p.Rank}'; allowed: {string.Join(", ", SliceSuggestion.RankingNames)}", string.Join(", ", SliceSuggestion.RankingNames));
        var suggestion = ErrorMapping.Guard(() => Volumes.Suggest(session, engine.Registry, ranking));
        return Task.FromResult(VolumeResults.Suggested(session, suggestion, ranking));
    }
}
