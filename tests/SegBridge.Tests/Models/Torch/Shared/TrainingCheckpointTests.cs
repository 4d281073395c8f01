using System.Text.Json;
using SegBridge.Models.Torch.Weights;
using SegBridge.Tests.Support;

namespace SegBridge.Tests.Models.Torch.Shared;

/// <summary>
/// Long runs through `segbridge train`: a run resumed from its checkpoint ends with exactly the weights of the
/// run that was not interrupted; the record carries the loss and held-out IoU curve, drawn beside it.
/// </summary>
public class TrainingCheckpointTests
{
    private static string[] Tiny(string output, params string[] extra) =>
    [
        "train", "--family", "guide", "--backbone", "none", "--data", Path.Combine(RepoPaths.Data!, "ebhi") + ":pattern=adeno_*", "--out", output, "--name", "ck",
        "--iterations", "6", "--batch", "2", "--crop", "64", "--width", "8", "--aspp-channels", "16", "--decoder-channels", "16", "--threads", "1",
        "--checkpoint-every", "3", "--validation-share", "0.2", "--validation-every", "3", .. extra,
    ];

    [SkippableFact]
    public async Task A_run_resumed_from_its_checkpoint_ends_with_the_uninterrupted_runs_weights()
    {
        Skip.If(RepoPaths.Data is null, RepoPaths.NoDataMessage);
        var dir = Directory.CreateTempSubdirectory("segbridge-checkpoint-").FullName;
        try
        {
            string whole = Path.Combine(dir, "whole"), resumed = Path.Combine(dir, "resumed");
            var (code, _, err) = await EngineCli.RunAsync(Tiny(whole));
            Assert.True(code == 0, err);
            Assert.Contains("held-out IoU", err);
            Assert.Contains("ETA", err);
            var checkpoint = Assert.Single(Directory.GetDirectories(Path.Combine(whole, "checkpoints", "ck")));
            Assert.EndsWith("iter-0000003", checkpoint);
            (code, _, err) = await EngineCli.RunAsync(Tiny(resumed, "--resume", Path.Combine(whole, "checkpoints", "ck")));
            Assert.True(code == 0, err);
            Assert.Contains("resuming from", err);

            var a = SafeTensors.Read(Path.Combine(whole, "weights", "ck.safetensors")).Tensors;
            var b = SafeTensors.Read(Path.Combine(resumed, "weights", "ck.safetensors")).Tensors;
            Assert.Equal(a.Keys.Order(), b.Keys.Order());
            foreach (var (name, tensor) in a) Assert.True(tensor.equal(b[name]).all().item<bool>(), $"{name} differs after resuming");

            using var record = JsonDocument.Parse(File.ReadAllText(Path.Combine(resumed, "weights", "ck.training.json")));
            var curve = record.RootElement.GetProperty("curve");
            Assert.Equal([3, 6], curve.GetProperty("validationIou").EnumerateArray().Select(p => p[0].GetInt32()));
            Assert.Equal(10, record.RootElement.GetProperty("heldOut").GetArrayLength());
            // The record of a resumed run names its checkpoint and counts the time trained before it.
            var resumedFrom = record.RootElement.GetProperty("resumedFrom");
            Assert.Equal(3, resumedFrom.GetProperty("iteration").GetInt32());
            Assert.True(resumedFrom.GetProperty("trainingMinutesBefore").GetDouble() >= 0);
            Assert.True(record.RootElement.GetProperty("trainingMinutes").GetDouble() >= resumedFrom.GetProperty("trainingMinutesBefore").GetDouble());
            var png = File.ReadAllBytes(Path.Combine(resumed, "weights", "ck.training.png"));
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);

            // Stopped on evidence: --iterations at the checkpoint's count writes the checkpoint's network as the result.
            var finished = Path.Combine(dir, "finished");
            var args = Tiny(finished, "--resume", checkpoint);
            args[Array.IndexOf(args, "--iterations") + 1] = "3";
            (code, _, err) = await EngineCli.RunAsync(args);
            Assert.True(code == 0, err);
            var atThree = SafeTensors.Read(Path.Combine(finished, "weights", "ck.safetensors")).Tensors;
            var saved = SafeTensors.Read(Path.Combine(checkpoint, "network.safetensors")).Tensors;
            foreach (var (name, tensor) in atThree) Assert.True(tensor.to(TorchSharp.torch.float32).allclose(saved[name].to(TorchSharp.torch.float32), rtol: 1e-3, atol: 1e-3), $"{name} is not the checkpoint's");
        }
        finally { Directory.Delete(dir, true); }
    }

    [SkippableFact]
    public async Task A_checkpoint_of_another_network_or_a_missing_one_is_refused_naming_resume()
    {
        Skip.If(RepoPaths.Data is null, RepoPaths.NoDataMessage);
        var dir = Directory.CreateTempSubdirectory("segbridge-checkpoint-bad-").FullName;
        try
        {
            var (code, _, err) = await EngineCli.RunAsync(Tiny(Path.Combine(dir, "a")));
            Assert.True(code == 0, err);
            var args = Tiny(Path.Combine(dir, "b"), "--resume", Path.Combine(dir, "a", "checkpoints", "ck"));
            args[Array.IndexOf(args, "--width") + 1] = "16";
            (code, _, err) = await EngineCli.RunAsync(args);
            Assert.Equal(2, code);
            Assert.Contains("--resume the checkpoint iter-0000003 is a network", err);
            (code, _, err) = await EngineCli.RunAsync(Tiny(Path.Combine(dir, "c"), "--resume", Path.Combine(dir, "nowhere")));
            Assert.Equal(2, code);
            Assert.Contains("--resume '", err);
        }
        finally { Directory.Delete(dir, true); }
    }

    [SkippableFact]
    public async Task Ctrl_c_stops_a_run_between_iterations_writes_no_weights_and_keeps_its_checkpoints()
    {
        Skip.If(RepoPaths.Data is null, RepoPaths.NoDataMessage);
        var dir = Directory.CreateTempSubdirectory("segbridge-train-interrupt-").FullName;
        try
        {
            var args = Tiny(dir);
            args[Array.IndexOf(args, "--iterations") + 1] = "100000";
            args[Array.IndexOf(args, "--checkpoint-every") + 1] = "10";
            var psi = new System.Diagnostics.ProcessStartInfo(RepoPaths.Engine) { RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = true };
            foreach (var a in args) psi.ArgumentList.Add(a);
            using var train = System.Diagnostics.Process.Start(psi)!;
            var stdout = train.StandardOutput.ReadToEndAsync();
            var seen = new System.Text.StringBuilder();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            while (await train.StandardError.ReadLineAsync(timeout.Token) is { } line)
            {
                seen.AppendLine(line);
                if (line.Contains("iteration 20/")) break;
            }
            Assert.True(seen.ToString().Contains("iteration 20/"), "the run ended before iteration 20:\n" + seen);
            using (var signal = System.Diagnostics.Process.Start("kill", ["-INT", train.Id.ToString()])) await signal.WaitForExitAsync(timeout.Token);
            var rest = await train.StandardError.ReadToEndAsync(timeout.Token);
            await train.WaitForExitAsync(timeout.Token);
            await stdout;
            Assert.Equal(130, train.ExitCode);
            Assert.Contains("segbridge: cancelled; no result was written", rest);
            Assert.DoesNotContain("Unhandled", rest);
            Assert.False(File.Exists(Path.Combine(dir, "weights", "ck.safetensors")));
            Assert.False(File.Exists(Path.Combine(dir, "ck.json")));
            Assert.Contains(Directory.GetDirectories(Path.Combine(dir, "checkpoints", "ck")), d => d.EndsWith("iter-0000020"));
        }
        finally { Directory.Delete(dir, true); }
    }
}
