using SegBridge.Engine.Compute;
using SegBridge.Protocol.Messages;

namespace SegBridge.Engine.Api;

/// <summary>slides/infer: a guide model over a region of a whole-slide image, tile by tile, with progress.</summary>
public sealed partial class EngineApi
{
    private readonly SlideInferenceService _slides = new(engine);

    /// <summary>A long job of the compute queue: one device slot for the whole region, no request timeout, cancelled only by the client.</summary>
    public Task<InferSlideResult> InferSlideAsync(InferSlideParams? p = null, CancellationToken ct = default)
    {
        RequireInitialized();
        var plan = _slides.Check(p);
        var progress = ProgressNotifications.Slide(p!.ImageId!, ProgressNotifications.CheckToken(p.ProgressToken), notifier);
        return ErrorMapping.GuardAsync(() => engine.Compute.RunAsync(new ComputeJob(JobKind.Long, _compute),
            token => _slides.Run(plan, progress, token), ct));
    }
}
