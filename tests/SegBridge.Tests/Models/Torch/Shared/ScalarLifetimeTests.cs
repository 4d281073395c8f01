using System.Reflection;
using SegBridge.Models.Torch;
using SegBridge.Tests.Architecture;
using TorchSharp;
using Xunit;

namespace SegBridge.Tests.Models.Torch.Shared;

/// <summary>
/// A number turned into a TorchSharp <see cref="Scalar"/> on the spot (<c>t * 255f</c>, <c>t.clamp(0, 1)</c>), or the
/// <c>alpha: 1</c> TorchSharp makes inside <c>a + b</c>, is reachable only through the handle the native call has
/// already read, so the garbage collector may finalize it while libtorch still reads it: long evaluations died in
/// <c>c10::Scalar::toFloat</c> ("Expected false to be true"). The models hold every Scalar for the length of the
/// call: constants from <see cref="Scalars"/>, values computed at run time in a <c>using</c>, sums through
/// <see cref="SafeTensorMath"/>.
/// </summary>
public sealed class ScalarLifetimeTests
{
    /// <summary>
    /// The TorchSharp methods that make a Scalar and never dispose it (<c>add(Tensor)</c> passes <c>alpha: 1</c>,
    /// <c>square()</c> an exponent), and every TorchSharp method that calls one of them (<c>a + b</c>), read from
    /// TorchSharp's own IL so that a new version's list is this version's list.
    /// </summary>
    private static readonly Lazy<HashSet<MethodBase>> DroppingTorchSharpMethods = new(() =>
    {
        var calls = new Dictionary<MethodBase, List<MethodBase>>();
        foreach (var type in typeof(torch.Tensor).Assembly.GetTypes())
            foreach (var (caller, callee) in CallsOrNone(type))
                (calls.TryGetValue(caller, out var list) ? list : calls[caller] = []).Add(callee);
        var dropping = calls.Where(c => c.Value.Any(MakesScalar) && !c.Value.Any(DisposesScalar)).Select(c => c.Key).ToHashSet();
        for (bool grew = true; grew;)
        {
            grew = false;
            foreach (var (caller, callees) in calls)
                if (!dropping.Contains(caller) && callees.Any(dropping.Contains)) { dropping.Add(caller); grew = true; }
        }
        return dropping;
    });

    private static bool MakesScalar(MethodBase m) => m.DeclaringType == typeof(Scalar) && m.Name == "op_Implicit" || m.Name == "ToScalar";

    private static bool DisposesScalar(MethodBase m) => m.DeclaringType == typeof(Scalar) && m.Name == "Dispose";

    /// <summary>A few TorchSharp types refer to assemblies the tests do not load (protobuf); they make no tensors.</summary>
    private static List<(MethodBase Caller, MethodBase Callee)> CallsOrNone(Type type)
    {
        try { return TypeReferences.Calls(type).ToList(); }
        catch (FileNotFoundException) { return []; }
    }

    /// <summary>Where the assembly makes a Scalar nothing holds: an implicit conversion of its own, or a call into a dropping TorchSharp method.</summary>
    private static List<string> TemporaryScalars(Assembly assembly) =>
        assembly.GetTypes()
            .SelectMany(t => TypeReferences.Calls(t).Select(c => (Type: t, c.Caller, c.Callee)))
            .Where(c => (c.Callee.Name == "op_Implicit" && c.Callee.DeclaringType == typeof(Scalar)) || DroppingTorchSharpMethods.Value.Contains(c.Callee))
            .Select(c => $"{c.Type.FullName}.{c.Caller.Name} calls {c.Callee.Name}({string.Join(", ", c.Callee.GetParameters().Select(p => p.ParameterType.Name))})")
            .Distinct().OrderBy(s => s, StringComparer.Ordinal).ToList();

    [Fact]
    public void The_torch_models_make_no_temporary_scalars()
    {
        var found = TemporaryScalars(typeof(SegBridge.Models.Torch.TorchFamilies).Assembly);
        Assert.True(found.Count == 0, $"{found.Count} temporary Scalars:\n" + string.Join("\n", found));
    }

    [Fact]
    public void The_scan_finds_a_planted_temporary_scalar()
    {
        var found = TemporaryScalars(typeof(ScalarLifetimeTests).Assembly);
        Assert.Contains(found, f => f.Contains(nameof(PlantedTemporaryScalars)) && f.Contains("op_Multiply"));
        Assert.Contains(found, f => f.Contains(nameof(PlantedTemporaryScalars)) && f.Contains("op_Implicit"));
        Assert.Contains(found, f => f.Contains(nameof(PlantedTemporaryScalars)) && f.Contains("op_Addition(Tensor, Tensor)"));
        Assert.Contains(found, f => f.Contains(nameof(PlantedTemporaryScalars)) && f.Contains("square()"));
        Assert.DoesNotContain(found, f => f.Contains(nameof(PlantedTemporaryScalars.HeldSum)));
    }

    [Fact]
    public void A_cached_scalar_outlives_the_dispose_scope_it_was_first_asked_for_in()
    {
        using var x = torch.ones(3);
        using (torch.NewDisposeScope()) { using var _ = x.mul(Scalars.Of(2.75)); }
        GC.Collect(); GC.WaitForPendingFinalizers();
        using var y = x.mul(Scalars.Of(2.75));
        Assert.Equal(2.75f, y[0].item<float>());
        Assert.Same(Scalars.Of(2.75), Scalars.Of(2.75));
    }

    /// <summary>
    /// The way the crash was reproduced, with the models' sums: <c>a + b</c> in this loop beside a thread that
    /// collects dies within seconds (the test host with it, so only the held form runs here).
    /// </summary>
    [Fact]
    public void Held_sums_survive_collections_on_another_thread()
    {
        using var a = torch.ones(64);
        using var b = torch.full(64, 2f);
        using var c = torch.full(64, 0.5f);
        var stop = false;
        var collector = new Thread(() => { while (!Volatile.Read(ref stop)) { GC.Collect(); GC.WaitForPendingFinalizers(); } });
        collector.Start();
        try
        {
            var until = DateTime.UtcNow.AddSeconds(3);
            for (int i = 0; DateTime.UtcNow < until; i++)
            {
                using var scope = torch.NewDisposeScope();
                Assert.Equal(3f, a.Plus(b)[0].item<float>());
                Assert.Equal(1.5f, a.Plus(Scalars.Of(0.5))[0].item<float>());
                Assert.Equal(0.5f, Scalars.Of(1).Minus(c)[0].item<float>());
                Assert.Equal(4f, b.Squared()[0].item<float>());
            }
        }
        finally { Volatile.Write(ref stop, true); collector.Join(); }
        using var range = SafeTensorMath.Range(4, torch.ScalarType.Float32);
        Assert.Equal([0f, 1f, 2f, 3f], range.data<float>().ToArray());
    }
}

internal static class PlantedTemporaryScalars
{
    public static torch.Tensor Scale(torch.Tensor t) => t * 255f;
    public static torch.Tensor Clamp(torch.Tensor t) => t.clamp(0.0, 1.0);
    public static torch.Tensor Sum(torch.Tensor a, torch.Tensor b) => a + b;
    public static torch.Tensor Square(torch.Tensor t) => t.square();
    public static torch.Tensor HeldSum(torch.Tensor a, torch.Tensor b) => a.Plus(b);
}
