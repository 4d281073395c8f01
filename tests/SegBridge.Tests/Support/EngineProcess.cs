using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using SegBridge.Protocol;
using SegBridge.Protocol.Messages;
using StreamJsonRpc;

namespace SegBridge.Tests.Support;

/// <summary>
/// The real `segbridge` executable started as a viewer would start it, with stderr captured for
/// assertions and diagnostics. Killed on dispose if still running.
/// </summary>
public sealed class EngineProcess : IAsyncDisposable
{
    private readonly StringBuilder _stderr = new();
    private string? _ownStateDir;
    public Process Process { get; }
    public string StdErr { get { lock (_stderr) return _stderr.ToString(); } }

    private EngineProcess(Process process)
    {
        Process = process;
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data); };
        process.BeginErrorReadLine();
    }

    public static EngineProcess Start(params string[] args) => Start(new Dictionary<string, string?>(), args);

    /// <param name="environment">Variables to set (a null value removes one), e.g. TMPDIR for the pipe's folder.</param>
    public static EngineProcess Start(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var psi = new ProcessStartInfo(RepoPaths.Engine)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var (name, value) in environment)
            if (value is null) psi.Environment.Remove(name);
            else psi.Environment[name] = value;
        foreach (var a in args) psi.ArgumentList.Add(a);
        // Keep test logs and journals out of the user's state folder.
        psi.ArgumentList.Add("--log-file");
        psi.ArgumentList.Add(EngineCli.TestLog);
        string? stateDir = null;
        if (args.Length > 0 && args[0] == "serve" && !args.Contains("--state-dir") && !args.Contains("--no-journal"))
        {
            stateDir = Directory.CreateTempSubdirectory("segbridge-state").FullName;
            psi.ArgumentList.Add("--state-dir");
            psi.ArgumentList.Add(stateDir);
        }
        return new EngineProcess(Process.Start(psi)!) { _ownStateDir = stateDir };
    }

    /// <summary>`segbridge serve --stdio` with a JSON-RPC client on its stdin/stdout.</summary>
    public static (EngineProcess Engine, JsonRpc Rpc) StartStdio(params string[] extra) => StartStdio(null, extra);

    /// <param name="beforeListening">Adds local methods (the engine's notifications) before the client starts reading.</param>
    public static (EngineProcess Engine, JsonRpc Rpc) StartStdio(Action<JsonRpc>? beforeListening, params string[] extra)
    {
        var engine = Start(["serve", "--stdio", .. extra]);
        var rpc = Clients.Json(engine.Process.StandardInput.BaseStream, engine.Process.StandardOutput.BaseStream, beforeListening);
        return (engine, rpc);
    }

    /// <summary>`segbridge serve --pipe NAME`; returns once the ready line names the socket.</summary>
    public static Task<(EngineProcess Engine, string SocketPath)> StartPipeAsync(string name, params string[] extra)
        => StartPipeAsync(new Dictionary<string, string?>(), name, extra);

    public static async Task<(EngineProcess Engine, string SocketPath)> StartPipeAsync(IReadOnlyDictionary<string, string?> environment, string name, params string[] extra)
    {
        var engine = Start(environment, ["serve", "--pipe", name, .. extra]);
        string? line;
        // 60 s like the WebSocket tests' ready line: many engines starting at once on a loaded machine took over 30.
        try { line = await engine.Process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)); }
        catch (TimeoutException)
        {
            // The caller never gets the engine to dispose: stop it here, or it outlives the test run.
            await engine.DisposeAsync();
            throw new TimeoutException("no ready line from `serve --pipe` within 60 s; its stderr: " + engine.StdErr);
        }
        if (line is null)
        {
            await engine.DisposeAsync();
            throw new InvalidOperationException("engine exited before its ready line: " + engine.StdErr);
        }
        using var doc = JsonDocument.Parse(line);
        return (engine, doc.RootElement.GetProperty("path").GetString()!);
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await Process.WaitForExitAsync().WaitAsync(timeout);
        return Process.ExitCode;
    }

    /// <summary>Sends SIGTERM, the way a service manager stops the engine.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", Process.Id.ToString()]);
        kill.WaitForExit();
    }

    /// <summary>Stops the engine as a service manager would (SIGTERM), killing it only if it does not exit.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            Terminate();
            try { await Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)); }
            catch (TimeoutException) { Process.Kill(entireProcessTree: true); await Process.WaitForExitAsync(); }
        }
        Process.Dispose();
        if (_ownStateDir is not null) Directory.Delete(_ownStateDir, recursive: true);
    }
}

/// <summary>JSON-RPC clients configured like the engine's own wire format.</summary>
public static class Clients
{
    public static JsonRpc Json(Stream send, Stream receive, Action<JsonRpc>? beforeListening = null)
    {
        var formatter = new SystemTextJsonFormatter { JsonSerializerOptions = new JsonSerializerOptions(ProtocolJson.Options) };
        var rpc = new JsonRpc(new HeaderDelimitedMessageHandler(send, receive, formatter));
        beforeListening?.Invoke(rpc);
        rpc.StartListening();
        return rpc;
    }

    public static JsonRpc MessagePack(Stream duplex, Action<JsonRpc>? beforeListening = null)
    {
        var rpc = new JsonRpc(new LengthHeaderMessageHandler(duplex, duplex, new MessagePackFormatter()));
        beforeListening?.Invoke(rpc);
        rpc.StartListening();
        return rpc;
    }

    public static async Task<Stream> ConnectSocketAsync(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path));
        return new NetworkStream(socket, ownsSocket: true);
    }

    public static Task<T> CallAsync<T>(this JsonRpc rpc, string method, object parameters)
        => rpc.InvokeWithParameterObjectAsync<T>(method, parameters).WaitAsync(TimeSpan.FromSeconds(60));

    public static Task<InitializeResult> InitializeAsync(this JsonRpc rpc, string client = "segbridge-tests")
        => rpc.CallAsync<InitializeResult>("initialize", new InitializeParams { ClientName = client, ProtocolVersion = ProtocolInfo.Version, ProcessId = Environment.ProcessId });

    /// <summary>The JSON-RPC error a call fails with (StreamJsonRpc raises "method not found" as its own exception type).</summary>
    public static async Task<RpcError> ErrorAsync(this JsonRpc rpc, string method, object parameters)
    {
        try
        {
            await rpc.InvokeWithParameterObjectAsync<JsonElement>(method, parameters).WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (RemoteInvocationException e) { return new RpcError(e.ErrorCode, e.Message); }
        catch (RemoteMethodNotFoundException e) { return new RpcError((int)e.ErrorCode, e.Message); }
        throw new Xunit.Sdk.XunitException($"{method} succeeded but an error was expected");
    }
}

public sealed record RpcError(int ErrorCode, string Message);
