using SegBridge.Protocol.Messages;

namespace SegBridge.Engine.Api;

/// <summary>eval/run: the automatic click/scribble protocol over a dataset, or Mem3D's rounds over volumes (mode volume).</summary>
public sealed partial class EngineApi
{
    private readonly EvalService _eval = new(engine, showRoots: !remoteClient);

    public Task<EvalRunResult> RunEvalAsync(EvalRunParams? p = null, CancellationToken ct = default)
    {
        RequireInitialized();
        if (p?.Mode == VolumeEvalRequests.Mode) return new VolumeEvalRequests(engine, _eval, notifier).RunAsync(p, _compute, ct);
        return _eval.RunAsync(p, _compute, ct);
    }
}
