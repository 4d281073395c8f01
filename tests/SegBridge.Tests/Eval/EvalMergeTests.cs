using System.Text.Json;
using SegBridge.Tests.Support;
using Xunit.Abstractions;

namespace SegBridge.Tests.Eval;

/// <summary>`segbridge eval-merge` (the real executable) on evaluations of disjoint GrabCut images, and of disjoint models on the same images.</summary>
public class EvalMergeTests(ITestOutputHelper output)
{
    private static Task<(int Code, string Out, string Err)> Eval(params string[] args) => EngineCli.RunAsync(["eval", .. args, "--log-file", EngineCli.TestLog]);
    private static Task<(int Code, string Out, string Err)> Merge(params string[] args) => EngineCli.RunAsync(["eval-merge", .. args]);

    private static string TempDir(string what) => Path.Combine(Path.GetTempPath(), $"segbridge-merge-{what}-" + Guid.NewGuid().ToString("N")[..8]);

    private static JsonElement Summary(string folder, int model = 0)
        => JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "results.json"))).RootElement
            .GetProperty("results").GetProperty("models")[model].GetProperty("summary").Clone();

    [Fact]
    public async Task Merged_parts_give_the_sample_weighted_summary_and_overlaps_or_different_models_are_refused()
    {
        if (RepoPaths.Data is not { } data || !Directory.Exists(Path.Combine(data, "grabcut")))
        {
            output.WriteLine(RepoPaths.NoDataMessage);
            return;
        }
        var grabcut = Path.Combine(data, "grabcut");
        string a = TempDir("a"), b = TempDir("b"), merged = TempDir("out"), other = TempDir("other"), ws = TempDir("ws"), rw = TempDir("rw"), byModel = TempDir("by-model");
        foreach (var (pattern, dir, models) in new[] { ("15*", a, "watershed,random-walker"), ("18*", b, "watershed,random-walker"), ("18*", other, "watershed"), ("15*", rw, "random-walker"), ("15*", ws, "watershed") })
        {
            var (code, _, err) = await Eval("--dataset", grabcut, "--model", models, "--max", "5", "--image-pattern", pattern, "--out", dir);
            Assert.True(code == 0, err);
        }
        var (mc, _, merr) = await Merge(a, Path.Combine(b, "results.json"), "--out", merged);
        output.WriteLine(merr);
        Assert.True(mc == 0, merr);

        for (int m = 0; m < 2; m++)
        {
            JsonElement sa = Summary(a, m), sb = Summary(b, m), sm = Summary(merged, m);
            int na = sa.GetProperty("samples").GetInt32(), nb = sb.GetProperty("samples").GetInt32();
            Assert.True(na > 0 && nb > 0);
            Assert.Equal(na + nb, sm.GetProperty("samples").GetInt32());
            for (int t = 0; t < 2; t++)
            {
                double expected = (sa.GetProperty("meanNoc")[t].GetDouble() * na + sb.GetProperty("meanNoc")[t].GetDouble() * nb) / (na + nb);
                Assert.Equal(expected, sm.GetProperty("meanNoc")[t].GetDouble(), 9);
                Assert.Equal(sa.GetProperty("noF")[t].GetInt32() + sb.GetProperty("noF")[t].GetInt32(), sm.GetProperty("noF")[t].GetInt32());
            }
            for (int k = 0; k < 5; k++)
            {
                double expected = (sa.GetProperty("meanIouCurve")[k].GetDouble() * na + sb.GetProperty("meanIouCurve")[k].GetDouble() * nb) / (na + nb);
                Assert.Equal(expected, sm.GetProperty("meanIouCurve")[k].GetDouble(), 9);
            }
            Assert.Equal(sa.GetProperty("totalSeconds").GetDouble() + sb.GetProperty("totalSeconds").GetDouble(), sm.GetProperty("totalSeconds").GetDouble(), 9);
        }
        var md = File.ReadAllText(Path.Combine(merged, "table.md"));
        Assert.Contains("| watershed |", md);
        Assert.Contains("--image-pattern 15*", md);   // the parts' commands travel with the table
        Assert.True(File.Exists(Path.Combine(merged, "iou-curve.png")));

        var (dup, _, dupErr) = await Merge(a, a, "--out", TempDir("dup"));
        Assert.Equal(2, dup);
        Assert.Contains("is in more than one part", dupErr);
        var (diff, _, diffErr) = await Merge(a, other, "--out", TempDir("diff"));
        Assert.Equal(2, diff);
        Assert.Contains("every model must cover the same samples", diffErr);

        // One model per process on the same images (rw's part first): the rows of the run that evaluated both together.
        var (bm, _, bmErr) = await Merge(rw, ws, "--out", byModel);
        Assert.True(bm == 0, bmErr);
        var joined = JsonDocument.Parse(File.ReadAllText(Path.Combine(byModel, "results.json"))).RootElement.GetProperty("results");
        Assert.Equal(["random-walker", "watershed"], joined.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("summary").GetProperty("model").GetString()));
        foreach (var (model, together) in new[] { (0, 1), (1, 0) })
        {
            JsonElement split = Summary(byModel, model), one = Summary(a, together);
            Assert.Equal(one.GetProperty("model").GetString(), split.GetProperty("model").GetString());
            Assert.Equal(one.GetProperty("samples").GetInt32(), split.GetProperty("samples").GetInt32());
            Assert.Equal(one.GetProperty("meanNoc").ToString(), split.GetProperty("meanNoc").ToString());
            Assert.Equal(one.GetProperty("meanIouCurve").ToString(), split.GetProperty("meanIouCurve").ToString());
        }
        var (none, _, noneErr) = await Merge(TempDir("missing"), "--out", TempDir("x"));
        Assert.Equal(2, none);
        Assert.Contains("eval-merge:", noneErr);
        foreach (var d in new[] { a, b, merged, other, ws, rw, byModel }) Directory.Delete(d, true);
    }
}
