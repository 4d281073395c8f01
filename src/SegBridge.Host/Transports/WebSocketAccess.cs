using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace SegBridge.Host.Transports;

/// <summary>
/// Who may open the WebSocket: the bind address (loopback unless explicitly widened), the shared token (kept in
/// a 0600 file, compared in constant time) and the page origin (none, loopback, or an allowed list). A browser
/// page on another site can reach 127.0.0.1 too, so the token and the Origin check are both needed.
/// </summary>
internal sealed partial class WebSocketAccess
{
    public const string TokenProtocolPrefix = "segbridge.token.";
    private readonly byte[] _token;
    private readonly HashSet<string> _allowedOrigins;

    private WebSocketAccess(string token, IEnumerable<string> allowedOrigins)
    {
        _token = Encoding.UTF8.GetBytes(token);
        _allowedOrigins = allowedOrigins.Select(NormalizeOrigin).ToHashSet(StringComparer.Ordinal);
    }

    public static WebSocketAccess Create(string tokenFile, IEnumerable<string> allowedOrigins)
    {
        foreach (var o in allowedOrigins)
            if (NormalizeOrigin(o) == "") throw new CommandException($"--ws-allow-origin {o}: give an origin such as https://viewer.example.org (scheme, host, optional port)");
        return new WebSocketAccess(ReadOrCreateToken(tokenFile), allowedOrigins);
    }

    /// <summary>"HOST:PORT" → endpoint. Loopback only unless <paramref name="bindAny"/>; "localhost" means 127.0.0.1.</summary>
    public static IPEndPoint ParseEndpoint(string value, bool bindAny)
    {
        IPEndPoint? endpoint = null;
        var colon = value.LastIndexOf(':');
        if (colon > 0 && value[..colon].Equals("localhost", StringComparison.OrdinalIgnoreCase) && int.TryParse(value[(colon + 1)..], out var p) && p is >= 0 and <= 65535)
            endpoint = new IPEndPoint(IPAddress.Loopback, p);
        else if ((value.StartsWith('[') ? value.Contains("]:") : value.Count(c => c == ':') == 1) && IPEndPoint.TryParse(value, out var parsed))
            endpoint = parsed;
        if (endpoint is null)
            throw new CommandException($"--ws {value}: give ADDRESS:PORT, e.g. 127.0.0.1:8765 or [::1]:8765 (port 0 picks a free one)");
        if (!IPAddress.IsLoopback(endpoint.Address) && !bindAny)
            throw new CommandException($"--ws {value}: {endpoint.Address} is not a loopback address; the engine opens files and runs models for whoever holds the token, " +
                                       "so it listens on 127.0.0.1 / [::1] only. Pass --ws-bind-any to listen on other interfaces anyway (use TLS in front of it).");
        return endpoint;
    }

    /// <summary>A token from the request: the `segbridge.token.TOKEN` subprotocol (returned so it can be echoed) or `?token=`.</summary>
    public bool Authorize(IEnumerable<string> requestedProtocols, string? queryToken, out string? echoProtocol)
    {
        echoProtocol = null;
        foreach (var protocol in requestedProtocols)
            if (protocol.StartsWith(TokenProtocolPrefix, StringComparison.Ordinal) && Matches(protocol[TokenProtocolPrefix.Length..]))
            {
                echoProtocol = protocol;
                return true;
            }
        return queryToken is not null && Matches(queryToken);
    }

    private bool Matches(string candidate) => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(candidate), _token);

    /// <summary>No Origin (not a browser), a loopback http origin, or one given with --ws-allow-origin.</summary>
    public bool OriginAllowed(string? origin)
    {
        if (string.IsNullOrEmpty(origin)) return true;
        var normalized = NormalizeOrigin(origin);
        if (normalized == "") return false; // "null" (file: pages, sandboxed frames) and garbage
        if (_allowedOrigins.Contains(normalized)) return true;
        var uri = new Uri(normalized);
        return uri.Scheme == "http" && (uri.Host is "127.0.0.1" or "localhost" or "[::1]");
    }

    private static string NormalizeOrigin(string origin)
    {
        if (!Uri.TryCreate(origin.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host)
            || uri.AbsolutePath is not ("/" or "") || uri.Query != "" || uri.UserInfo != "")
            return "";
        return uri.IsDefaultPort ? $"{uri.Scheme}://{uri.Host}" : $"{uri.Scheme}://{uri.Host}:{uri.Port}";
    }

    [GeneratedRegex("^[A-Za-z0-9._~-]{16,512}$")]
    private static partial Regex TokenShape();

    /// <summary>Reads the token, or creates the file (mode 0600, parent folders 0700) with 256 random bits in hex.</summary>
    public static string ReadOrCreateToken(string path)
    {
        if (OperatingSystem.IsWindows()) throw new CommandException("--token-file relies on Unix file modes (0600); the WebSocket transport is not supported on Windows");
        if (!File.Exists(path))
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
            if (!Directory.Exists(dir)) Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            try
            {
                using var file = new FileStream(path, new FileStreamOptions
                {
                    Mode = FileMode.CreateNew, Access = FileAccess.Write,
                    UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                });
                file.Write(Encoding.ASCII.GetBytes(token + "\n"));
                return token;
            }
            catch (IOException) when (File.Exists(path)) { } // another engine created it first: read theirs
        }
        var mode = File.GetUnixFileMode(path);
        if ((mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
            throw new CommandException($"--token-file {path} can be read or written by other users; run `chmod 600 {path}`");
        var text = File.ReadAllText(path).Trim();
        if (!TokenShape().IsMatch(text))
            throw new CommandException($"--token-file {path}: the token must be 16..512 characters of A-Z a-z 0-9 . _ ~ - (delete the file to get a new random one)");
        return text;
    }
}
