using NLog;
using SegBridge.Engine.Images;
using SegBridge.Engine.Journal;
using SegBridge.Engine.Registry;
using SegBridge.Models;
using SegBridge.Imaging.Interactions;
using SegBridge.Engine.Sessions;
using SegBridge.Imaging.Codecs;
using SegBridge.Imaging.Encodings;
using SegBridge.Imaging.Volumes;
using SegBridge.Protocol;
using SegBridge.Protocol.Messages;

namespace SegBridge.Engine.Api;

/// <summary>
/// The protocol implemented over the shared engine; one instance per client connection, holding that
/// connection's handshake state. Every expected failure is a <see cref="ProtocolException"/> with a
/// stable code; anything else is a bug and is logged by the host.
/// </summary>
/// <param name="notifier">The connection's way back to its client, for progress notifications; null sends none.</param>
public sealed class EngineApi(SegBridgeEngine engine, Action? onShutdown = null, IClientNotifier? notifier = null) : ISegBridgeApi
{
    private static readonly Logger Log = LogManager.GetCurrentClassLogger();
    private readonly InteractionMapper _mapper = new(engine.Options);
    private readonly EvalService _eval = new(engine);
    private readonly SlideInferenceService _slides = new(engine);
    private VolumeService Volumes => engine.Volumes;
    private readonly long _connection = engine.NewConnectionId();
    private volatile bool _initialized;
    private int _queuedHere;

    public string? ClientName { get; private set; }
    public int? ClientProcessId { get; private set; }

    public Task<InitializeResult> InitializeAsync(InitializeParams? p = null, CancellationToken ct = default)
    {
        p ??= new InitializeParams();
        var version = Errors.Required(p.ProtocolVersion, "protocolVersion", ProtocolInfo.Version);
        var major = ProtocolInfo.ParseMajor(version)
            ?? throw Errors.Argument("protocolVersion", $"protocolVersion '{version}' is not MAJOR.MINOR", ProtocolInfo.Version);
        if (major != ProtocolInfo.Major)
            throw Errors.Make(ErrorCodes.ProtocolVersionMismatch,
                $"client '{p.ClientName ?? "unknown"}' speaks protocol {version}, this engine speaks {ProtocolInfo.Version}; update the client or the engine so the major versions match",
                "protocolVersion", $"{ProtocolInfo.Major}.x");
        ClientName = p.ClientName;
        ClientProcessId = p.ProcessId;
        _initialized = true;
        Log.Info("client '{0}' {1} initialized (protocol {2}, pid {3})", p.ClientName, p.ClientVersion, version, p.ProcessId);
        return Task.FromResult(new InitializeResult
        {
            ServerName = "segbridge",
            ServerVersion = engine.ServerVersion,
            ProtocolVersion = ProtocolInfo.Version,
            Capabilities = new Capabilities
            {
                MaskFormats = MaskFormats.All,
                Interactions = InteractionKinds.All,
                ImageInputs = ["path", "encoded", "raw"],
                RawDtypes = ["uint8", "uint16", "float32"],
                Transports = ["stdio", "pipe", "websocket"],
                Encodings = ["json", "msgpack"],
                Devices = engine.Devices.ToArray(),
                MaxImagePixels = engine.Options.MaxImagePixels,
            },
            Models = engine.Registry.Entries.Select(ToInfo).ToArray(),
        });
    }

    public Task<Ack> ShutdownAsync(EmptyParams? p = null, CancellationToken ct = default)
    {
        Log.Info("shutdown requested by '{0}'", ClientName);
        onShutdown?.Invoke();
        return Task.FromResult(new Ack());
    }

    public Task<PingResult> PingAsync(EmptyParams? p = null, CancellationToken ct = default)
        => Task.FromResult(new PingResult { ServerTimeUtc = DateTime.UtcNow.ToString("O") });

    public Task<ModelListResult> ListModelsAsync(EmptyParams? p = null, CancellationToken ct = default)
    {
        RequireInitialized();
        return Task.FromResult(new ModelListResult
        {
            Models = engine.Registry.Entries.Select(ToInfo).ToArray(),
            ManifestErrors = engine.Registry.Errors.Select(e => new ManifestError { File = e.File, Field = e.Field, Message = e.Problem }).ToArray(),
        });
    }

    public Task<ModelDescription> DescribeModelAsync(ModelIdParams? p = null, CancellationToken ct = default)
    {
        RequireInitialized();
        var entry = FindModel(p?.ModelId);
        var parameters = System.Text.Json.JsonSerializer.Serialize(entry.Manifest.Parameters);
        return Task.FromResult(new ModelDescription { Model = ToInfo(entry), ParametersJson = parameters });
    }

    public Task<ImageInfo> OpenImageAsync(OpenImageParams? p = null, CancellationToken ct = default)
    {
        RequireInitialized();
        if (p is null || new object?[] { p.Path, p.Encoded, p.Raw }.Count(x => x is not null) != 1)
            throw Errors.Argument("path|encoded|raw", "images/open needs exactly one of path, encoded or raw", "path, encoded, raw");
        var limit = engine.Options.MaxImagePixels;
        string? path = null;
        if (p.Path is not null)
        {
            if (string.IsNullOrWhiteSpace(p.Path) || p.Path.Contains('\0') || p.Path.Length > 4096)
                throw Errors.Argument("path", "path must be a non-empty file path (at most 4096 characters, no NUL)", "a file path");
            try { path = PathPolicy.Resolve(p.Path, engine.Options.AllowedRoots); }
            catch (UnauthorizedAccessException e) { throw Errors.Make(ErrorCodes.PathNotAllowed, e.Message, "path", string.Join(", ", engine.Options.AllowedRoots ?? [])); }
            if (path is null) throw Errors.Make(ErrorCodes.ImageUnreadable, $"no such file: {p.Path}", "path");
        }
        try
        {
            var image = path is not null ? engine.Opener.OpenFile(path, p.Name)
                : p.Encoded is not null && ImageOpener.IsVolume(p.Encoded) ? engine.Opener.OpenVolumeBytes(p.Encoded, p.Name)
                : engine.Images.Add(p.Encoded is not null ? ImageDecoder.Decode(p.Encoded, limit)
                    : ImageDecoder.FromRaw(p.Raw!.Width, p.Raw.Height, p.Raw.Channels, p.Raw.Dtype ?? "", p.Raw.Data ?? [], limit),
                    p.Name, new ImageOrigin.Bytes());
            Log.Info("opened {0} '{1}' {2}x{3}{4}", image.Id, image.Name, image.Width, image.Height, image.Volume is { } v ? $"x{v.Depth}" : "");
            return Task.FromResult(ToInfo(image));
        }
        catch (ImageTooLargeException e)
        {
            throw Errors.Make(ErrorCodes.ImageTooLarge, e.Message, "image", $"at most {limit} pixels per image or slice, {engine.Options.MaxVolumeVoxels} voxels per volume");
        }
        catch (NiftiException e)
        {
            // The message names the header field; data.allowed carries that field's range.
            throw Errors.Make(ErrorCodes.ImageUnreadable, p.Path is not null ? $"{p.Path}: {e.Message}" : e.Message, p.Path is not null ? "path" : "encoded", e.Allowed ?? "single-file NIfTI-1 (.nii, .nii.gz)");
        }
        catch (RawArrayException e)
        {
            throw Errors.Make(ErrorCodes.InvalidArgument, e.Message, "raw." + e.Field);
        }
        catch (ImageDecodeException e)
        {
            throw Errors.Make(ErrorCodes.ImageUnreadable, e.Message, p.Path is not null ? "path" : p.Encoded is not null ? "encoded" : "raw", "PNG, JPEG, TIFF or NIfTI");
        }
    }

    public Task<Ack> CloseImageAsync(ImageIdParams? p = null, CancellationToken ct = default)
    {
        RequireInitialized();
        var id = Errors.Required(p?.ImageId, "imageId", "img-1");
        if (!engine.Images.Remove(id)) throw UnknownImage(id);
        return Task.FromResult(new Ack());
    }

    public Task<ImagePngResult> GetImagePngAsync(ImageIdParams? p = null, CancellationToken ct = default)
    {
        RequireInitialized();
        var id = Errors.Required(p?.ImageId, "imageId", "img-1");
        if (!engine.Images.TryGet(id, out var image)) throw UnknownImage(id);
        if (image.Volume is { } volume)
            throw Errors.Argument("imageId", $"{id} is a {volume.Width}×{volume.Height}×{volume.Depth} volume; images/png serves 2D images only — read the volume file itself, or open a session on a slice", "an image that is not a volume");
        var raster = image.Raster
            ?? throw Errors.Argument("imageId", $"{id} is a whole-slide image ({image.Width}×{image.Height}); images/png serves decoded images only — read slide tiles with OpenSlide, or open a session on a region", "an image that is not a slide");
        return Task.FromResult(new ImagePngResult
        {
            ImageId = id, Width = raster.Width, Height = raster.Height,
            Png = SegBridge.Imaging.Encodings.MaskPng.EncodeRgb(raster),
        });
    }

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
        var region = engine.Planner.Resolve(image, p);
        var (raster, mapping) = engine.Planner.Read(image, region, ct);
        var session = new Session(engine.Sessions.NextId(), image, model, raster, mapping, region);
        if (p.InitialMask is { } guideId)
        {
            var (guide, _) = ModelLookup.Guide(engine.Registry, guideId, "initialMask",
                (_, guides) => $"initialMask '{guideId}' is not a guide model (it needs interactions); guide models: {guides}");
            session.StartFrom(guide, ct);
        }
        // A new round on a propagated volume starts from that slice's propagated mask (Mem3D's f_In refines it).
        else if (Volumes.PropagatedMask(session) is { } propagated) session.StartFromPropagated(CocoRle.Encode(propagated));
        if (engine.Journals is { } journals)
            session.Journal = SessionJournal.Create(journals.JournalPath(session.Id),
                journals.CreateRecord(session.Id, model.Manifest.Id, image, region, p.InitialMask, session.PropagatedMaskRle));
        session.Touch(_connection);
        engine.Sessions.Add(session);
        Log.Info("created {0} on {1} with {2}", session.Id, image.Id, model.Manifest.Id);
        return Task.FromResult(ToInfo(session));
    }

    public async Task<MaskResult> InteractAsync(InteractParams? p = null, CancellationToken ct = default)
    {
        RequireInitialized();
        var session = FindSession(p?.SessionId);
        var format = MaskEncoder.CheckFormat(p!.Format);
        var tolerance = MaskEncoder.CheckTolerance(p.Tolerance);
        var (kind, interaction) = _mapper.Map(p, session);
        if (!session.Model.Interactions.Contains(kind))
            throw Errors.Make(ErrorCodes.UnsupportedInteraction, $"model '{session.Model.Manifest.Id}' does not take {kind} interactions", kind, string.Join(", ", session.Model.Interactions));
        return await ComputeAsync(session, interaction, format, tolerance, ct);
    }

    /// <summary>
    /// Runs one model computation under the engine's limits: a per-connection and an engine-wide queue
    /// bound, the request timeout, and cancellation of an earlier computation on the same session that
    /// this one supersedes (a newer click makes the older one's answer useless).
    /// </summary>
    private async Task<MaskResult> ComputeAsync(Session session, Interaction interaction, string format, double tolerance, CancellationToken ct)
    {
        return await QueuedAsync(async () =>
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(engine.Options.RequestTimeout);
            session.BeginCompute(cts);
            try
            {
                return await WithSession(session, cts.Token, () => OnComputeGate(() =>
                {
                    session.Apply(interaction, cts.Token);
                    return MaskEncoder.Encode(session, format, tolerance);
                }, cts.Token));
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                if (session.IsSuperseded(cts))
                    throw Errors.Make(ErrorCodes.Superseded, $"a newer interaction on {session.Id} replaced this one before it finished", "sessionId");
                throw TimedOut();
            }
            finally { session.EndCompute(cts); }
        });
    }

    /// <summary>Admits one computation under the per-connection and engine-wide queue bounds, or refuses it (1004).</summary>
    private async Task<T> QueuedAsync<T>(Func<Task<T>> work)
    {
        if (Interlocked.Increment(ref _queuedHere) > engine.Options.MaxQueuedPerClient)
        {
            Interlocked.Decrement(ref _queuedHere);
            throw Errors.Make(ErrorCodes.LimitExceeded, $"this connection already has {engine.Options.MaxQueuedPerClient} computations running or waiting; wait for their replies", "requests", $"at most {engine.Options.MaxQueuedPerClient} per connection");
        }
        try
        {
            if (!engine.TryEnqueueWork())
                throw Errors.Make(ErrorCodes.LimitExceeded, $"the engine has {engine.Options.MaxQueuedWork} computations waiting; try again shortly", "requests", $"at most {engine.Options.MaxQueuedWork} waiting");
            try { return await work(); }
            finally { engine.WorkDone(); }
        }
        finally { Interlocked.Decrement(ref _queuedHere); }
    }

    /// <summary>
    /// Runs heavy work on one slot of the compute gate, off the connection's dispatch thread: a model that runs
    /// inline would stop the transport from reading the next request (a superseding click, a ping, a cancel).
    /// </summary>
    private async Task<T> OnComputeGate<T>(Func<T> work, CancellationToken ct)
    {
        await engine.ComputeGate.WaitAsync(ct);
        try { return await Task.Run(work, ct); }
        finally { engine.ComputeGate.Release(); }
    }

    private ProtocolException TimedOut()
        => Errors.Make(ErrorCodes.LimitExceeded, $"the model took longer than the request timeout of {engine.Options.RequestTimeout.TotalSeconds:0.#} s", "requestTimeout");

    public Task<InferSlideResult> InferSlideAsync(InferSlideParams? p = null, CancellationToken ct = default)
    {
        RequireInitialized();
        var plan = _slides.Check(p);
        var progress = ProgressNotifications.Slide(p!.ImageId!, ProgressNotifications.CheckToken(p.ProgressToken), notifier);
        return QueuedAsync(async () =>
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(engine.Options.RequestTimeout);
            try { return await OnComputeGate(() => _slides.Run(plan, progress, cts.Token), cts.Token); }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested) { throw TimedOut(); }
        });
    }

    public Task<PropagateVolumeResult> PropagateVolumeAsync(PropagateVolumeParams? p = null, CancellationToken ct = default)
    {
        RequireInitialized();
        var session = FindSession(p?.SessionId);
        var token = ProgressNotifications.CheckToken(p!.ProgressToken);
        // The session's mask is read under its lock, so a concurrent interaction cannot change it half-way.
        return QueuedAsync(async () =>
        {
            var plan = await WithSession(session, ct, () => Task.FromResult(Volumes.Check(session, p, engine.Registry)));
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(engine.Options.RequestTimeout);
            var progress = ProgressNotifications.Volume(session.Id, plan.Volume.Width, plan.Volume.Height, token, notifier);
            try { return await OnComputeGate(() => Volumes.Run(plan, progress, cts.Token), cts.Token); }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested) { throw TimedOut(); }
        });
    }

    public Task<SuggestSliceResult> SuggestSliceAsync(SuggestSliceParams? p = null, CancellationToken ct = default)
    {
        RequireInitialized();
        var session = FindSession(p?.SessionId);
        var ranking = SliceRanking.LowestQuality;
        if (p?.Rank is not null && !SliceSuggestion.TryParse(p.Rank, out ranking))
            throw Errors.Argument("rank", $"unknown slice ranking '{p.Rank}'; allowed: {string.Join(", ", SliceSuggestion.RankingNames)}", string.Join(", ", SliceSuggestion.RankingNames));
        return Task.FromResult(Volumes.Suggest(session, engine.Registry, ranking));
    }

    /// <summary>The client's connection ended: its sessions stay open for the configured time, for a reconnect.</summary>
    public void OnDisconnected()
    {
        foreach (var s in engine.Sessions.All) s.Disown(_connection);
    }

    public Task<MaskResult> UndoAsync(SessionParams? p = null, CancellationToken ct = default) => HistoryStep(p, ct, s =>
    {
        if (!s.Undo()) throw Errors.Make(ErrorCodes.NothingToUndo, $"session {s.Id} has no interaction to undo");
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
            Redoable = session.Redoable.Select(i => InteractionMapper.ToRecord(i, session.Mapping)).ToArray(),
        }));
    }

    public Task<SessionListResult> ListSessionsAsync(EmptyParams? p = null, CancellationToken ct = default)
    {
        RequireInitialized();
        return Task.FromResult(new SessionListResult { Sessions = engine.Sessions.All.Select(ToInfo).ToArray() });
    }

    public Task<Ack> CloseSessionAsync(SessionParams? p = null, CancellationToken ct = default)
    {
        RequireInitialized();
        var id = Errors.Required(p?.SessionId, "sessionId", "ses-1");
        if (!engine.CloseSession(id)) throw UnknownSession(id);
        Log.Info("closed {0}", id);
        return Task.FromResult(new Ack());
    }

    public Task<EvalRunResult> RunEvalAsync(EvalRunParams? p = null, CancellationToken ct = default)
    {
        RequireInitialized();
        return _eval.RunAsync(p, ct);
    }

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

    /// <summary>Runs work while holding the session's lock, so interactions on one session are applied in order.</summary>
    private static async Task<T> WithSession<T>(Session session, CancellationToken ct, Func<Task<T>> work)
    {
        await session.Gate.WaitAsync(ct);
        try { return await work(); }
        finally { session.Gate.Release(); }
    }

    private static ImageInfo ToInfo(StoredImage image) => new()
    {
        ImageId = image.Id,
        Width = image.Width,
        Height = image.Height,
        Channels = image.Raster?.Channels ?? (image.Volume is null ? 3 : 1),
        Name = image.Name,
        Depth = image.Volume?.Depth,
        Spacing = image.Volume is { } v ? [v.Spacing.X, v.Spacing.Y, v.Spacing.Z] : null,
        Slide = image.Slide is not { } slide ? null : new SlideInfo
        {
            Vendor = slide.Vendor,
            Levels = slide.Levels.Select(l => new SlideLevelDto { Width = l.Width, Height = l.Height, Downsample = l.Downsample }).ToArray(),
            MppX = slide.MppX, MppY = slide.MppY, ObjectivePower = slide.ObjectivePower,
        },
    };

    private void RequireInitialized()
    {
        if (!_initialized)
            throw Errors.Make(ErrorCodes.NotInitialized, "send 'initialize' with your protocolVersion before any other request", "method", "initialize first");
    }

    private ModelEntry FindModel(string? id)
        => ModelLookup.Find(engine.Registry, Errors.Required(id, "modelId", "random-walker"), "modelId");

    private Session FindSession(string? id)
    {
        var sessionId = Errors.Required(id, "sessionId", "ses-1");
        if (!engine.Sessions.TryGet(sessionId, out var s)) throw UnknownSession(sessionId);
        s.Touch(_connection);
        return s;
    }


    private static ProtocolException UnknownImage(string id)
        => Errors.Make(ErrorCodes.UnknownImage, $"unknown image '{id}'; open one with images/open first", "imageId");

    private static ProtocolException UnknownSession(string id)
        => Errors.Make(ErrorCodes.UnknownSession, $"unknown session '{id}' (closed, or never created)", "sessionId");

    private ModelInfo ToInfo(ModelEntry e) => new()
    {
        Id = e.Manifest.Id,
        Name = e.Manifest.Name,
        Family = e.Manifest.Family,
        Role = e.Manifest.Role,
        Dimensions = e.Manifest.Dimensions,
        Interactions = e.Interactions.ToArray(),
        Status = e.IsReady ? "ready" : "unavailable",
        Reason = e.UnavailableReason,
        Licence = e.Manifest.Licence,
        Paper = e.Manifest.Paper,
        Description = e.Manifest.Description,
        Manifest = Path.GetFileName(e.Manifest.File),
        Device = e.Model is IDeviceBound bound ? bound.Device : e.IsReady ? "cpu" : null,
    };

    private static SessionInfo ToInfo(Session s) => new()
    {
        SessionId = s.Id,
        ImageId = s.Image.Id,
        ModelId = s.Model.Manifest.Id,
        Width = s.Raster.Width,
        Height = s.Raster.Height,
        InteractionCount = s.InteractionCount,
        OriginX = s.Mapping.OriginX,
        OriginY = s.Mapping.OriginY,
        Downsample = s.Mapping.Downsample,
        Slice = s.Region.Slice,
        InitialMask = s.InitialMaskModel,
    };
}
