namespace SegBridge.Host.Transports;

/// <summary>
/// Wraps stdin so that end-of-input is reported only after in-flight replies are written.
/// StreamJsonRpc tears the connection down at EOF and would drop replies still being computed,
/// which breaks `printf request | segbridge serve --stdio`.
/// </summary>
internal sealed class DrainOnEofStream(Stream inner, Func<Task> waitForReplies) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken);
        if (n == 0)
        {
            // Give the dispatcher a moment to pick up the last request before counting what is pending.
            await Task.Delay(50, CancellationToken.None);
            await waitForReplies();
        }
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    protected override void Dispose(bool disposing) { if (disposing) inner.Dispose(); base.Dispose(disposing); }
}
