namespace SegBridge.Engine.Compute;

/// <summary>
/// The one door to the device: every model computation — clicks, propagation, slides, evaluation, training — comes
/// through here. It refuses work beyond the per-connection and engine-wide bounds (a busy engine answers at once
/// instead of queueing without end), cuts interactive jobs off at the request timeout, lets a newer job replace the
/// one it supersedes, and runs at most <see cref="ComputeLimits.Slots"/> jobs at once, off the caller's thread
/// (a model run inline would stop a transport from reading the next request: a superseding click, a cancel).
/// </summary>
public sealed class ComputeQueue
{
    private readonly SemaphoreSlim _slots;
    private readonly Dictionary<string, CancellationTokenSource> _latest = [];
    private int _queued;

    public ComputeQueue(ComputeLimits limits)
    {
        if (limits.Slots < 1) throw new ArgumentOutOfRangeException(nameof(limits), "a compute queue needs at least one slot");
        Limits = limits;
        _slots = new SemaphoreSlim(limits.Slots, limits.Slots);
    }

    public ComputeLimits Limits { get; }

    /// <summary>Jobs now running or waiting, all clients together.</summary>
    public int InFlight => Volatile.Read(ref _queued);

    /// <summary>
    /// Runs <paramref name="work"/> as <paramref name="job"/>: admitted under the bounds or refused with
    /// <see cref="ComputeQueueFullException"/>; an interactive job that runs past the timeout ends in
    /// <see cref="ComputeTimeoutException"/>, one replaced by a newer job in <see cref="ComputeSupersededException"/>;
    /// the caller's own cancellation ends it in <see cref="OperationCanceledException"/>. The work gets a token that
    /// carries all of these and should pass it to the model.
    /// </summary>
    public async Task<T> RunAsync<T>(ComputeJob job, Func<CancellationToken, T> work, CancellationToken ct)
    {
        if (job.SupersedeKey is not null && job.Kind != JobKind.Interactive)
            throw new ArgumentException($"only interactive jobs may be superseded; a {job.Kind} job ran with key '{job.SupersedeKey}'", nameof(job));
        using var admission = Admit(job.Client);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (job.Kind == JobKind.Interactive) cts.CancelAfter(Limits.InteractiveTimeout);
        if (job.SupersedeKey is { } key) Supersede(key, cts);
        try
        {
            return await RunInOrderAsync(job, work, cts.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested && job.Kind == JobKind.Interactive)
        {
            if (job.SupersedeKey is { } k && IsSuperseded(k, cts)) throw new ComputeSupersededException(k);
            throw new ComputeTimeoutException(Limits.InteractiveTimeout);
        }
        finally
        {
            if (job.SupersedeKey is { } k) Finished(k, cts);
        }
    }

    /// <summary>
    /// One device slot for one step of a <see cref="JobKind.Stepwise"/> job (or for in-process use, such as the CLI's
    /// evaluation), on the caller's thread.
    /// </summary>
    public T OnSlot<T>(Func<T> work, CancellationToken ct)
    {
        _slots.Wait(ct);
        try { return work(); }
        finally { _slots.Release(); }
    }

    private async Task<T> RunInOrderAsync<T>(ComputeJob job, Func<CancellationToken, T> work, CancellationToken token)
    {
        if (job.Ordering is not { } ordering) return await RunOnDeviceAsync(job.Kind, work, token);
        await ordering.WaitAsync(token);
        try { return await RunOnDeviceAsync(job.Kind, work, token); }
        finally { ordering.Release(); }
    }

    private async Task<T> RunOnDeviceAsync<T>(JobKind kind, Func<CancellationToken, T> work, CancellationToken token)
    {
        // A stepwise job takes a slot per step itself; holding one for its whole run would shut clicks out for minutes.
        if (kind == JobKind.Stepwise) return await Task.Run(() => work(token), token);
        await _slots.WaitAsync(token);
        try { return await Task.Run(() => work(token), token); }
        finally { _slots.Release(); }
    }

    private Admission Admit(ComputeClient? client)
    {
        if (client is not null && Interlocked.Increment(ref client.Queued) > Limits.MaxQueuedPerClient)
        {
            Interlocked.Decrement(ref client.Queued);
            throw new ComputeQueueFullException(QueueBound.Client, Limits.MaxQueuedPerClient);
        }
        if (Interlocked.Increment(ref _queued) > Limits.MaxQueued)
        {
            Interlocked.Decrement(ref _queued);
            if (client is not null) Interlocked.Decrement(ref client.Queued);
            throw new ComputeQueueFullException(QueueBound.Engine, Limits.MaxQueued);
        }
        return new Admission(this, client);
    }

    /// <summary>Registers a job under its key and cancels the one it replaces (still waiting or running).</summary>
    private void Supersede(string key, CancellationTokenSource cts)
    {
        lock (_latest)
        {
            if (_latest.TryGetValue(key, out var older)) older.Cancel();
            _latest[key] = cts;
        }
    }

    private bool IsSuperseded(string key, CancellationTokenSource cts)
    {
        lock (_latest) return !_latest.TryGetValue(key, out var latest) || latest != cts;
    }

    private void Finished(string key, CancellationTokenSource cts)
    {
        lock (_latest)
            if (_latest.TryGetValue(key, out var latest) && latest == cts) _latest.Remove(key);
    }

    /// <summary>A job's place in the bounds, given back when it ends however it ends.</summary>
    private sealed class Admission(ComputeQueue queue, ComputeClient? client) : IDisposable
    {
        public void Dispose()
        {
            Interlocked.Decrement(ref queue._queued);
            if (client is not null) Interlocked.Decrement(ref client.Queued);
        }
    }
}
