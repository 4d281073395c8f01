using System.Threading.Channels;
using NLog;

namespace SegBridge.Host.Transports;

/// <summary>
/// The write side of one pipe connection as a bounded queue with a writer task of its own. A client that does
/// not read its replies used to block a thread-pool thread inside a socket write; sixteen of them starved the
/// pool, so other clients waited seconds to connect or to get a ping answered. Writes now only queue bytes;
/// when a client leaves more than the limit unread, its connection is closed (the reason is logged: a client
/// that does not read could not receive it) and its sessions wait for a reconnect as after any disconnect.
/// Reads pass straight through. Pipe and WebSocket connections both write through one.
/// </summary>
internal sealed class BoundedWriteStream : Stream
{
    private static readonly Logger Log = LogManager.GetCurrentClassLogger();
    private readonly Stream _inner;
    private readonly long _limit;
    private readonly string _client;
    private readonly Channel<byte[]> _queue = Channel.CreateUnbounded<byte[]>(); // not SingleReader: that kind cannot Count;
    private readonly Task _writer;
    private readonly Action _cutOff;
    private long _queued;
    private int _closed;

    /// <param name="cutOff">Ends the connection of a client that is not reading (its pending write and its read
    /// loop); disposing <paramref name="inner"/> when not given.</param>
    public BoundedWriteStream(Stream inner, long limit, string client, Action? cutOff = null)
    {
        _inner = inner;
        _limit = limit;
        _client = client;
        _cutOff = cutOff ?? inner.Dispose;
        _writer = Task.Run(WriteQueuedAsync);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
    public override int Read(Span<byte> buffer) => _inner.Read(buffer);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _inner.ReadAsync(buffer, cancellationToken);
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (buffer.IsEmpty) return;
        if (Volatile.Read(ref _closed) != 0) throw new ConnectionClosedException($"{_client}: the connection was closed");
        // The engine writes one frame per call. A frame larger than the limit may still go out on its own, but one
        // that would push the unread bytes over the limit while others wait means the client is not reading.
        var unread = Interlocked.Add(ref _queued, buffer.Length) - buffer.Length;
        if (unread > 0 && unread + buffer.Length > _limit)
        {
            Close($"{unread} bytes of replies are unread and {buffer.Length} more are due, over the limit of {_limit} bytes; " +
                  "the client is not reading its replies, so its connection is closed");
            throw new ConnectionClosedException($"{_client}: write queue full");
        }
        if (!_queue.Writer.TryWrite(buffer.ToArray())) throw new ConnectionClosedException($"{_client}: the connection was closed");
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    /// <summary>The writer task flushes whenever the queue runs dry.</summary>
    public override void Flush() { }
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task WriteQueuedAsync()
    {
        try
        {
            await foreach (var chunk in _queue.Reader.ReadAllAsync())
            {
                await _inner.WriteAsync(chunk);
                Interlocked.Add(ref _queued, -chunk.Length);
                if (_queue.Reader.Count == 0) await _inner.FlushAsync();
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or System.Net.WebSockets.WebSocketException)
        {
            Log.Debug("{0}: writing stopped: {1}", _client, e.Message);
        }
        catch (Exception e)
        {
            Log.Error(e, "{0}: writing failed", _client);
        }
        finally { _queue.Writer.TryComplete(); }
    }

    private void Close(string reason)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        Log.Warn("{0}: {1}", _client, reason);
        _queue.Writer.TryComplete();
        while (_queue.Reader.TryRead(out _)) { }
        _cutOff();
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _queue.Writer.TryComplete();
            // Replies queued before the connection ended get a moment to go out, as a direct write would have.
            _writer.Wait(TimeSpan.FromSeconds(2));
            _inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
