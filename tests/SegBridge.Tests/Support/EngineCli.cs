using System.Diagnostics;

namespace SegBridge.Tests.Support;

/// <summary>Runs a `segbridge` verb as a user would and collects its exit code, stdout and stderr.</summary>
public static class EngineCli
{
    /// <summary>The tests' shared engine log, so test runs stay out of the user's state folder.</summary>
    public static string TestLog { get; } = Path.Combine(Path.GetTempPath(), "segbridge-tests.log");

    public static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        var psi = new ProcessStartInfo(RepoPaths.Engine) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        return (p.ExitCode, await stdout, await stderr);
    }
}
