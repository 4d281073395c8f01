using SegBridge.Engine.Compute;
using SegBridge.Engine.Journal;
using SegBridge.Engine.Registry;
using SegBridge.Engine.Sessions;
using SegBridge.Imaging.Interactions;
using SegBridge.Models;
using SegBridge.Protocol;
using SegBridge.Protocol.Messages;

namespace SegBridge.Engine.Api;

/// <summary>
/// sessions/*: create a session on an image, then follow one click from here — <see cref="InteractAsync"/> maps the
/// click, <see cref="Session.Apply"/> runs the model through the compute queue, and the mask goes back encoded.
/// </summary>
public sealed partial class EngineApi
{
    private readonly InteractionMapper _mapper = new(engine.Options);

    public Task<SessionInfo> CreateSessionAsync(CreateSessionParams? p = null, CancellationToken ct = default)
    {
        RequireInitialized();
        var imageId = Errors.Required(p?.ImageId, "imageId", "img-1");
        var model = ModelLookup.Ready(engine.Registry, Errors.Required(p!.ModelId, "modelId", "random-walker"), "modelId");
        if (!engine.Images.TryGet(imageId, out var image)) throw UnknownImage(imageId);
        if (engine.Sessions.Count >= engine.Options.MaxSessions)
            throw Errors.Make(ErrorCodes.LimitExceeded, $"the engine already has {engine.Sessions.Count} open sessions; close some first", "sessions", $"at most {engine.Options.MaxSessions}");
        var owned = engine.Sessions.All.Count(s => s.Owner == _connection);
        if (owned >= engine.Options.MaxSessionsPerClient)
            throw Errors.Make(ErrorCodes.LimitExceeded, $"this connection already has {owned} open sessions; close some first", "sessions", $"at most {engine.Options.MaxSessionsPerClient} per connection");
        var region = ErrorMapping.Guard(() => engine.Planner.Resolve(image, ProtocolMapping.ToRequest(p), model.Manifest.PixelSizeUm));
        var (raster, mapping) = ErrorMapping.Guard(() => engine.Planner.Read(image, region, ct));
        if (model.Model is IChannelBound bound && !bound.Channels.Contains(raster.Channels))
            throw Errors.Argument("imageId", $"model '{model.Manifest.Id}' reads {ChannelNames(bound.Channels)} images; {imageId} has {raster.Channels} channels",
                string.Join(" or ", bound.Channels.Select(c => $"an image with {c} channel{(c == 1 ? "" : "s")}")));
        var start = StartOf(p.InitialMask, model) ?? ErrorMapping.Guard(() => Volumes.StartFor(image, model, region, mapping, raster));
        var session = new Session(engine.Sessions.NextId(), image, model, raster, mapping, region, start, ct);
        if (engine.Journals is { } journals)
            session.Journal = ErrorMapping.Guard(() => SessionJournal.Create(journals.JournalPath(session.Id),
                journals.CreateRecord(session.Id, model.Manifest.Id, image, region, (start as SessionStart.Guide)?.Model.Manifest.Id, (start as SessionStart.Propagated)?.MaskRle)));
        session.Touch(_connection);
        engine.Sessions.Add(session);
        Log.Info("created {0} on {1} with {2}", session.Id, image.Id, model.Manifest.Id);
        return Task.FromResult(ProtocolMapping.ToInfo(session));
    }

    private static string ChannelNames(IReadOnlyList<int> channels)
        => string.Join(" or ", channels.Select(c => c switch { 1 => "grey (1-channel)", 3 => "RGB (3-channel)", _ => $"{c}-channel" }));

    /// <summary>
    /// The mask before the first interaction: what the client's initialMask asks for ("none", "model" or the model's
    /// own id for its prediction without interactions, or a guide's id), else the manifest's initialMask. Null: no
    /// prediction to start from, so a session on a propagated volume slice starts from that slice's propagated mask
    /// (Mem3D's f_In refines it) and any other from an empty mask. The journal records the model whose prediction it
    /// was, so a replay after a manifest change still rebuilds the same session.
    /// </summary>
    private SessionStart? StartOf(string? asked, ModelEntry model)
    {
        var wanted = asked ?? model.Manifest.InitialMask;
        if (wanted == ManifestReader.NoInitialMask) return asked is null ? null : SessionStart.Empty;
        if (wanted == ManifestReader.OwnInitialMask || wanted == model.Manifest.Id)
        {
            if (model.Model is not IRegionPredictor)
                throw Errors.Argument("initialMask", $"model '{model.Manifest.Id}' cannot predict without interactions, so it has no click-free mask to start from",
                    $"{ManifestReader.NoInitialMask} or a guide model's id");
            return new SessionStart.Guide(model);
        }
        var (guide, _) = ModelLookup.Guide(engine.Registry, wanted, "initialMask", (_, guides) => asked is null
            ? $"model '{model.Manifest.Id}' starts from guide '{wanted}' (its manifest's initialMask), which cannot predict alone; give initialMask 'none' or one of: {guides}"
            : $"initialMask '{wanted}' is not a guide model (it needs interactions); allowed: {ManifestReader.NoInitialMask}, {ManifestReader.OwnInitialMask} or a guide model: {guides}");
        return new SessionStart.Guide(guide);
    }

    /// <summary>
    /// One click (or scribble, box, …): checked and mapped to the session's pixels, then applied as an interactive job
    /// of the compute queue — in order behind the session's earlier requests, replacing an earlier click still
    /// computing, cut off at the request timeout — and the new mask encoded in the format asked for.
    /// </summary>
    public Task<MaskResult> InteractAsync(InteractParams? p = null, CancellationToken ct = default)
    {
        RequireInitialized();
        var session = FindSession(p?.SessionId);
        var format = MaskEncoder.CheckFormat(p!.Format);
        var tolerance = MaskEncoder.CheckTolerance(p.Tolerance);
        var (kind, interaction) = _mapper.Map(p, session);
        if (!session.Model.Interactions.Contains(kind))
            throw Errors.Make(ErrorCodes.UnsupportedInteraction, $"model '{session.Model.Manifest.Id}' does not take {kind} interactions", kind, string.Join(", ", session.Model.Interactions));
        var job = new ComputeJob(JobKind.Interactive, _compute) { SupersedeKey = session.Id, Ordering = session.Gate };
        return ErrorMapping.GuardAsync(() => engine.Compute.RunAsync(job, token =>
        {
            session.Apply(interaction, token);
            return MaskEncoder.Encode(session, format, tolerance);
        }, ct));
    }

    public Task<MaskResult> UndoAsync(SessionParams? p = null, CancellationToken ct = default) => HistoryStep(p, ct, s =>
    {
        if (!s.Undo()) throw Errors.Make(ErrorCodes.NothingToUndo, $"session {s.Id} has no interaction or reset to undo");
    });

    public Task<MaskResult> RedoAsync(SessionParams? p = null, CancellationToken ct = default) => HistoryStep(p, ct, s =>
    {
        if (!s.Redo()) throw Errors.Make(ErrorCodes.NothingToRedo, $"session {s.Id} has nothing to redo");
    });

    public Task<MaskResult> ResetAsync(SessionParams? p = null, CancellationToken ct = default) => HistoryStep(p, ct, s => s.Reset());

    public Task<MaskResult> GetMaskAsync(SessionParams? p = null, CancellationToken ct = default) => HistoryStep(p, ct, _ => { });

    public async Task<HistoryResult> GetHistoryAsync(SessionParams? p = null, CancellationToken ct = default)
    {
        RequireInitialized();
        var session = FindSession(p?.SessionId);
        return await WithSession(session, ct, () => Task.FromResult(new HistoryResult
        {
            SessionId = session.Id,
            Interactions = session.Interactions.Select(i => InteractionMapper.ToRecord(i, session.Mapping)).ToArray(),
            // An undone reset is redoable too; it carries no interaction, only its type.
            Redoable = session.Redoable.Select(i => i is null ? new InteractionRecord { Type = "reset" } : InteractionMapper.ToRecord(i, session.Mapping)).ToArray(),
        }));
    }

    public Task<SessionListResult> ListSessionsAsync(EmptyParams? p = null, CancellationToken ct = default)
    {
        RequireInitialized();
        return Task.FromResult(new SessionListResult { Sessions = engine.Sessions.All.Select(ProtocolMapping.ToInfo).ToArray() });
    }

    public Task<Ack> CloseSessionAsync(SessionParams? p = null, CancellationToken ct = default)
    {
        RequireInitialized();
        var id = Errors.Required(p?.SessionId, "sessionId", "ses-1");
        if (!engine.CloseSession(id)) throw UnknownSession(id);
        Log.Info("closed {0}", id);
        return Task.FromResult(new Ack());
    }

    /// <summary>Undo, redo, reset or read the mask: no model runs (saved masks are restored), so no compute queue either.</summary>
    private async Task<MaskResult> HistoryStep(SessionParams? p, CancellationToken ct, Action<Session> step)
    {
        RequireInitialized();
        var session = FindSession(p?.SessionId);
        var format = MaskEncoder.CheckFormat(p!.Format);
        var tolerance = MaskEncoder.CheckTolerance(p.Tolerance);
        return await WithSession(session, ct, () =>
        {
            step(session);
            return Task.FromResult(MaskEncoder.Encode(session, format, tolerance));
        });
    }
}
