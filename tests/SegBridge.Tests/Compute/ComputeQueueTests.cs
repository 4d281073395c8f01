using SegBridge.Engine.Compute;

namespace SegBridge.Tests.Compute;

/// <summary>The one compute queue: bounds, timeout, supersede, cancellation and the device slots, on real threads.</summary>
public sealed class ComputeQueueTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    private static ComputeQueue Queue(int slots = 1, int maxQueued = 64, int perClient = 8, TimeSpan? timeout = null)
        => new(new ComputeLimits(slots, maxQueued, perClient, timeout ?? Long));

    /// <summary>Work that holds its slot until <paramref name="release"/> is set (or its token is cancelled), then returns <paramref name="value"/>.</summary>
    private static Func<CancellationToken, int> Blocking(ManualResetEventSlim release, int value, ManualResetEventSlim? started = null) => token =>
    {
        started?.Set();
        release.Wait(token);
        return value;
    };

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Long;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not reached");
            await Task.Delay(5);
        }
    }

    [Fact]
    public async Task A_client_over_its_bound_is_refused_while_other_clients_are_admitted()
    {
        var queue = Queue(perClient: 2);
        var greedy = new ComputeClient();
        var other = new ComputeClient();
        using var release = new ManualResetEventSlim();
        var first = queue.RunAsync(new ComputeJob(JobKind.Interactive, greedy), Blocking(release, 1), default);
        var second = queue.RunAsync(new ComputeJob(JobKind.Interactive, greedy), Blocking(release, 2), default);

        var refused = await Assert.ThrowsAsync<ComputeQueueFullException>(() => queue.RunAsync(new ComputeJob(JobKind.Interactive, greedy), Blocking(release, 3), default));
        Assert.Equal(QueueBound.Client, refused.Bound);
        Assert.Equal("this connection already has 2 computations running or waiting; wait for their replies", refused.Message);
        Assert.Equal("requests", refused.Field);
        Assert.Equal("at most 2 per connection", refused.Allowed);

        var third = queue.RunAsync(new ComputeJob(JobKind.Interactive, other), Blocking(release, 4), default);
        Assert.Equal(2, greedy.InFlight);
        Assert.Equal(3, queue.InFlight);
        release.Set();
        var results = await Task.WhenAll(first, second, third);
        Assert.Equal(new[] { 1, 2, 4 }, results);
        Assert.Equal(0, greedy.InFlight);
        Assert.Equal(0, queue.InFlight);
        // Its place given back, the client is admitted again.
        Assert.Equal(5, await queue.RunAsync(new ComputeJob(JobKind.Interactive, greedy), _ => 5, default));
    }

    [Fact]
    public async Task The_engine_wide_bound_refuses_any_client_and_gives_the_client_its_place_back()
    {
        var queue = Queue(maxQueued: 2);
        var client = new ComputeClient();
        using var release = new ManualResetEventSlim();
        var running = new[]
        {
            queue.RunAsync(new ComputeJob(JobKind.Long), Blocking(release, 1), default),
            queue.RunAsync(new ComputeJob(JobKind.Interactive, client), Blocking(release, 2), default),
        };
        var refused = await Assert.ThrowsAsync<ComputeQueueFullException>(() => queue.RunAsync(new ComputeJob(JobKind.Interactive, client), _ => 3, default));
        Assert.Equal(QueueBound.Engine, refused.Bound);
        Assert.Equal("the engine has 2 computations waiting; try again shortly", refused.Message);
        Assert.Equal("at most 2 waiting", refused.Allowed);
        Assert.Equal(1, client.InFlight); // the refused job does not keep a place in its client's bound
        release.Set();
        var results = await Task.WhenAll(running);
        Assert.Equal(new[] { 1, 2 }, results);
        Assert.Equal(0, queue.InFlight);
    }

    [Fact]
    public async Task An_interactive_job_past_the_timeout_is_cancelled_and_reported_as_a_timeout()
    {
        var queue = Queue(timeout: TimeSpan.FromMilliseconds(100));
        using var never = new ManualResetEventSlim();
        var e = await Assert.ThrowsAsync<ComputeTimeoutException>(() => queue.RunAsync(new ComputeJob(JobKind.Interactive), Blocking(never, 1), default));
        Assert.Equal("requestTimeout", e.Field);
        Assert.Contains("request timeout of 0.1 s", e.Message);
        Assert.Equal(0, queue.InFlight);
    }

    [Fact]
    public async Task Waiting_for_a_slot_counts_against_the_timeout()
    {
        var queue = Queue(slots: 1, timeout: TimeSpan.FromMilliseconds(150));
        using var release = new ManualResetEventSlim();
        using var started = new ManualResetEventSlim();
        var slide = queue.RunAsync(new ComputeJob(JobKind.Long), Blocking(release, 1, started), default);
        started.Wait(Long);
        bool ran = false;
        await Assert.ThrowsAsync<ComputeTimeoutException>(() => queue.RunAsync(new ComputeJob(JobKind.Interactive), _ => ran = true, default));
        Assert.False(ran);
        release.Set();
        Assert.Equal(1, await slide);
    }

    [Theory]
    [InlineData(JobKind.Long)]
    [InlineData(JobKind.Stepwise)]
    public async Task Long_jobs_run_past_the_interactive_timeout(JobKind kind)
    {
        var queue = Queue(timeout: TimeSpan.FromMilliseconds(50));
        var value = await queue.RunAsync(new ComputeJob(kind), token =>
        {
            for (int i = 0; i < 30; i++) { Thread.Sleep(10); token.ThrowIfCancellationRequested(); }
            return 42;
        }, default);
        Assert.Equal(42, value);
    }

    [Fact]
    public async Task A_newer_job_with_the_same_key_supersedes_the_older_and_other_keys_are_left_alone()
    {
        var queue = Queue(slots: 2);
        using var never = new ManualResetEventSlim();
        using var olderStarted = new ManualResetEventSlim();
        using var otherStarted = new ManualResetEventSlim();
        using var releaseOther = new ManualResetEventSlim();
        var older = queue.RunAsync(new ComputeJob(JobKind.Interactive) { SupersedeKey = "ses-1" }, Blocking(never, 1, olderStarted), default);
        var other = queue.RunAsync(new ComputeJob(JobKind.Interactive) { SupersedeKey = "ses-2" }, Blocking(releaseOther, 2, otherStarted), default);
        olderStarted.Wait(Long);
        otherStarted.Wait(Long);

        var newer = await queue.RunAsync(new ComputeJob(JobKind.Interactive) { SupersedeKey = "ses-1" }, _ => 3, default);
        var superseded = await Assert.ThrowsAsync<ComputeSupersededException>(() => older);
        Assert.Equal("ses-1", superseded.Key);
        Assert.Equal("a newer interaction on ses-1 replaced this one before it finished", superseded.Message);
        Assert.Equal(3, newer);
        Assert.False(other.IsCompleted);
        releaseOther.Set();
        Assert.Equal(2, await other);
    }

    [Fact]
    public async Task A_job_still_waiting_for_its_turn_is_superseded_too()
    {
        var queue = Queue(slots: 1);
        var session = new SemaphoreSlim(1, 1);
        session.Wait(); // the session is busy (an undo, say): both clicks below wait behind it
        bool waitingRan = false;
        var waiting = queue.RunAsync(new ComputeJob(JobKind.Interactive) { SupersedeKey = "ses-1", Ordering = session }, _ => waitingRan = true, default);
        var newest = queue.RunAsync(new ComputeJob(JobKind.Interactive) { SupersedeKey = "ses-1", Ordering = session }, _ => 3, default);
        await Assert.ThrowsAsync<ComputeSupersededException>(() => waiting);
        session.Release();
        Assert.Equal(3, await newest);
        Assert.False(waitingRan);
        Assert.Equal(0, queue.InFlight);
    }

    [Theory]
    [InlineData(JobKind.Long)]
    [InlineData(JobKind.Stepwise)]
    public async Task Only_interactive_jobs_may_be_superseded(JobKind kind)
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => Queue().RunAsync(new ComputeJob(kind) { SupersedeKey = "ses-1" }, _ => 1, default));
        Assert.Contains("only interactive jobs", e.Message);
    }

    [Theory]
    [InlineData(JobKind.Interactive)]
    [InlineData(JobKind.Long)]
    public async Task The_callers_cancellation_ends_the_job_as_cancelled_not_as_a_timeout(JobKind kind)
    {
        var queue = Queue();
        var client = new ComputeClient();
        using var never = new ManualResetEventSlim();
        using var started = new ManualResetEventSlim();
        using var cts = new CancellationTokenSource();
        var job = queue.RunAsync(new ComputeJob(kind, client), Blocking(never, 1, started), cts.Token);
        started.Wait(Long);
        cts.Cancel();
        var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => job);
        Assert.IsNotType<ComputeTimeoutException>(e);
        Assert.Equal(0, client.InFlight);
        Assert.Equal(0, queue.InFlight);
    }

    [Fact]
    public async Task No_more_jobs_run_at_once_than_there_are_slots()
    {
        var queue = Queue(slots: 2);
        int running = 0, most = 0;
        var jobs = Enumerable.Range(0, 8).Select(i => queue.RunAsync(new ComputeJob(i % 2 == 0 ? JobKind.Long : JobKind.Interactive), _ =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            Thread.Sleep(20);
            Interlocked.Decrement(ref running);
            return i;
        }, default)).ToArray();
        Assert.Equal(Enumerable.Range(0, 8), await Task.WhenAll(jobs));
        Assert.Equal(2, most);
    }

    [Fact]
    public async Task A_stepwise_job_takes_a_slot_per_step_so_clicks_get_in_between()
    {
        var queue = Queue(slots: 1);
        using var stepDone = new ManualResetEventSlim();
        using var clickDone = new ManualResetEventSlim();
        var evaluation = queue.RunAsync(new ComputeJob(JobKind.Stepwise), token =>
        {
            queue.OnSlot(() => 0, token);
            stepDone.Set();
            // Between steps the evaluation holds no slot: the click below must be able to finish now.
            if (!clickDone.Wait(Long, token)) throw new TimeoutException("the click did not get a slot between steps");
            return queue.OnSlot(() => 7, token);
        }, default);
        stepDone.Wait(Long);
        Assert.Equal(1, await queue.RunAsync(new ComputeJob(JobKind.Interactive), _ => 1, default));
        clickDone.Set();
        Assert.Equal(7, await evaluation);
    }

    [Fact]
    public async Task Jobs_sharing_an_ordering_lock_run_one_after_the_other_in_order()
    {
        var queue = Queue(slots: 4);
        var session = new SemaphoreSlim(1, 1);
        var order = new List<int>();
        int inside = 0, most = 0;
        using var release = new ManualResetEventSlim();
        using var started = new ManualResetEventSlim();
        var first = queue.RunAsync(new ComputeJob(JobKind.Interactive) { Ordering = session }, token =>
        {
            started.Set();
            release.Wait(token);
            lock (order) order.Add(0);
            return 0;
        }, default);
        started.Wait(Long);
        var later = Enumerable.Range(1, 3).Select(i => queue.RunAsync(new ComputeJob(JobKind.Interactive) { Ordering = session }, _ =>
        {
            InterlockedMax(ref most, Interlocked.Increment(ref inside));
            lock (order) order.Add(i);
            Interlocked.Decrement(ref inside);
            return i;
        }, default)).ToArray();
        await Task.Delay(50);
        lock (order) Assert.Empty(order); // all wait behind the first
        release.Set();
        await first;
        await Task.WhenAll(later);
        Assert.Equal(1, most);
        Assert.Equal(0, order[0]);
        Assert.Equal(4, order.Count);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }
}
