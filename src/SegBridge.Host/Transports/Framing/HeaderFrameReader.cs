namespace SegBridge.Host.Transports.Framing;

/// <summary>
/// Reads LSP-style frames (`Content-Length: N`, optional other headers, a blank line, N bytes of body) and
/// checks every part itself, so that a broken frame becomes a problem to answer instead of a dead connection.
/// After a refused header the reader drops bytes up to the next `Content-Length:` / `Content-Type:` (bodies
/// rarely end in a newline, so it looks for the name anywhere, not only at a line start); bytes between frames
/// that belong to no frame are refused once per run. Blank lines between frames are tolerated.
/// </summary>
internal sealed class HeaderFrameReader(Stream receive, long maxFrameBytes) : IDisposable
{
    private const int MaxHeaderLine = 1024;
    private static readonly byte[][] HeaderNames = ["content-length:"u8.ToArray(), "content-type:"u8.ToArray()];
    private readonly ByteReader _in = new(receive);
    private bool _resynchronising; // a frame was refused: drop what follows, unreported, up to the next header
    private long _skip;            // body bytes of an oversized frame still to drop

    public async ValueTask<FrameRead> NextAsync(CancellationToken ct)
    {
        if (_skip > 0)
        {
            var want = _skip;
            _skip = 0;
            if (await _in.SkipAsync(want, ct) < want) return FrameRead.End;
        }
        if (await SkipToHeaderAsync(ct) is { } junk) return FrameRead.Refused(junk);
        if (_in.Buffered == 0) return FrameRead.End;
        return await ReadFrameAsync(ct);
    }

    /// <summary>The body just returned did not parse: its length may have been wrong, so look for the next header.</summary>
    public void Resynchronise() => _resynchronising = true;

    private enum Match { Yes, No, NeedMore }

    /// <summary>Moves to the start of the next header; returns a description of the junk passed over, if it is to be refused.</summary>
    private async ValueTask<string?> SkipToHeaderAsync(CancellationToken ct)
    {
        var junk = new JunkRun();
        while (true)
        {
            if (_in.Buffered == 0)
            {
                // Report junk before a read that may block, so a peer waiting after garbage is answered.
                if (junk.Count > 0) return junk.Describe();
                if (!await _in.EnsureAsync(1, ct)) return null;
            }
            var match = MatchHeaderName();
            if (match == Match.NeedMore)
            {
                if (junk.Count > 0) return junk.Describe();
                if (await _in.EnsureAsync(_in.Buffered + 1, ct)) continue;
                match = Match.No; // the stream ended inside what might have been a header name
            }
            if (match == Match.Yes)
            {
                if (junk.Count > 0) return junk.Describe();
                _resynchronising = false;
                return null;
            }
            var b = _in[0];
            _in.Consume(1);
            if (_resynchronising || (junk.Count == 0 && b is (byte)'\r' or (byte)'\n' or (byte)' ' or (byte)'\t')) continue;
            junk.Add(b);
        }
    }

    private Match MatchHeaderName()
    {
        var seen = _in.Peek(HeaderNames.Max(n => n.Length));
        bool partial = false;
        foreach (var name in HeaderNames)
        {
            int n = Math.Min(seen.Length, name.Length);
            if (!System.Text.Ascii.EqualsIgnoreCase(seen[..n], name.AsSpan(0, n))) continue;
            if (n == name.Length) return Match.Yes;
            partial = true;
        }
        return partial ? Match.NeedMore : Match.No;
    }

    private async ValueTask<FrameRead> ReadFrameAsync(CancellationToken ct)
    {
        string? lengthText = null, conflict = null;
        while (true)
        {
            // A bad line is left in place but for its first byte, so the search for the next header starts inside
            // it: a body sent without the blank line runs straight into the next frame's header.
            var (lineLength, ending, lineProblem) = await FindLineEndAsync(ct);
            if (lineProblem is not null) return RefuseAtLine(lineProblem);
            var line = System.Text.Encoding.ASCII.GetString(_in.Peek(lineLength));
            if (line.Length == 0) { _in.Consume(ending); break; }
            var colon = line.IndexOf(':');
            if (colon <= 0 || !line[..colon].All(IsTokenChar))
                return RefuseAtLine($"header line '{Printable.Show(line)}' is not 'Name: value' (is the blank line between header and body missing?)");
            _in.Consume(lineLength + ending);
            var value = line[(colon + 1)..].Trim(' ', '\t');
            if (line[..colon].Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                if (lengthText is not null && lengthText != value) conflict ??= $"two different Content-Length headers ('{Printable.Show(lengthText)}', '{Printable.Show(value)}')";
                lengthText = value;
            }
            // Content-Type and other headers are accepted and ignored: bodies are UTF-8 JSON.
        }
        if (conflict is not null) return Refuse(conflict);
        if (lengthText is null) return Refuse("the header has no Content-Length; a frame is 'Content-Length: N' (N = body bytes), CR LF, a blank line, then the body");
        if (ParseLength(lengthText, out var length) is { } lengthProblem) return Refuse(lengthProblem);
        if (length == 0) return Refuse("Content-Length is 0; a frame's body must hold a JSON-RPC message");
        if (length > maxFrameBytes)
        {
            _skip = length; // the length is believable: drop exactly that many bytes and stay in step
            return FrameRead.Refused($"frame of {length} bytes exceeds the limit of {maxFrameBytes} bytes (--max-frame-mb); it was skipped unread");
        }
        var body = new byte[length];
        var got = await _in.ReadAsync(body, ct);
        if (got < length) return Refuse($"the stream ended {got} bytes into a body of Content-Length {length}");
        return FrameRead.Frame(body);
    }

    private FrameRead Refuse(string problem)
    {
        _resynchronising = true;
        return FrameRead.Refused(problem);
    }

    private string? ParseLength(string text, out long length)
    {
        length = 0;
        if (text.Length == 0) return "Content-Length is empty; give the body's length in bytes as a decimal integer";
        if (!text.All(char.IsAsciiDigit)) return $"Content-Length '{Printable.Show(text)}' is not a non-negative integer (decimal digits only)";
        if (text.Length > 18 || !long.TryParse(text, out length)) return $"Content-Length '{Printable.Show(text)}' is too large (frames are limited to {maxFrameBytes} bytes)";
        return null;
    }

    /// <summary>
    /// The length of the header line at the read position and of its ending (CR LF, or a bare LF, which is
    /// accepted too), or what is wrong with the line. Nothing is consumed.
    /// </summary>
    private async ValueTask<(int Length, int Ending, string? Problem)> FindLineEndAsync(CancellationToken ct)
    {
        for (int i = 0; ; i++)
        {
            if (i >= MaxHeaderLine) return (0, 0, $"a header line is longer than {MaxHeaderLine} bytes");
            if (i >= _in.Buffered && !await _in.EnsureAsync(i + 1, ct)) return (0, 0, EndedInHeader);
            var b = _in[i];
            if (b == '\n') return (i, 1, null);
            if (b == '\r')
            {
                if (i + 1 >= _in.Buffered && !await _in.EnsureAsync(i + 2, ct)) return (0, 0, EndedInHeader);
                if (_in[i + 1] == '\n') return (i, 2, null);
                return (0, 0, "a header line ends in a bare CR (0x0D); end each header line with CR LF");
            }
            if ((b < 0x20 && b != '\t') || b > 0x7E)
                return (0, 0, $"the header holds byte 0x{b:X2}; header lines are printable ASCII, each ending in CR LF");
        }
    }

    private const string EndedInHeader = "the stream ended inside a frame header";

    private FrameRead RefuseAtLine(string problem)
    {
        _in.Consume(problem == EndedInHeader ? _in.Buffered : 1);
        return Refuse(problem);
    }

    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c);

    public void Dispose() => _in.Dispose();

    /// <summary>Bytes between frames that belong to none, kept for the error message.</summary>
    private sealed class JunkRun
    {
        private readonly List<byte> _sample = [];
        public long Count { get; private set; }

        public void Add(byte b)
        {
            if (_sample.Count < 32) _sample.Add(b);
            Count++;
        }

        public string Describe()
        {
            var bom = _sample is [0xEF, 0xBB, 0xBF, ..] ? " (a UTF-8 byte order mark: write the header with no BOM)" : "";
            return $"{Count} bytes before the next frame header are not part of a frame: '{Printable.Show(_sample.ToArray())}{(Count > _sample.Count ? "…" : "")}'{bom}";
        }
    }
}
