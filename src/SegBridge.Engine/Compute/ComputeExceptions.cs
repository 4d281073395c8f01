namespace SegBridge.Engine.Compute;

/// <summary>Which bound refused a job: the asking connection's own, or the engine's.</summary>
public enum QueueBound { Client, Engine }

/// <summary>The queue is full: the job was refused before it waited for anything.</summary>
public sealed class ComputeQueueFullException(QueueBound bound, int limit) : EngineException(
    bound == QueueBound.Client
        ? $"this connection already has {limit} computations running or waiting; wait for their replies"
        : $"the engine has {limit} computations waiting; try again shortly",
    "requests",
    bound == QueueBound.Client ? $"at most {limit} per connection" : $"at most {limit} waiting")
{
    public QueueBound Bound { get; } = bound;
    public int Limit { get; } = limit;
}

/// <summary>An interactive job ran past the request timeout (waiting included) and was cancelled.</summary>
public sealed class ComputeTimeoutException(TimeSpan timeout)
    : EngineException($"the model took longer than the request timeout of {timeout.TotalSeconds:0.#} s", "requestTimeout", null)
{
    public TimeSpan Timeout { get; } = timeout;
}

/// <summary>A newer job with the same supersede key replaced this one before it finished.</summary>
public sealed class ComputeSupersededException(string key)
    : EngineException($"a newer interaction on {key} replaced this one before it finished", null, null)
{
    public string Key { get; } = key;
}
