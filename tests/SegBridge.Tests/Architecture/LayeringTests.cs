using System.Reflection;
using System.Text.RegularExpressions;
using SegBridge.Tests.Support;

namespace SegBridge.Tests.Architecture;

/// <summary>
/// The layering of ARCHITECTURE.md, checked on the compiled assemblies: the Engine core never sees the protocol (only
/// SegBridge.Engine.Api does), Imaging is pure (no torch, no RPC, no protocol), and model plugins see neither the
/// protocol nor the engine. Each check is also run on a planted violation, to show it catches one.
/// </summary>
public sealed class LayeringTests
{
    private const string EngineApiNamespace = "SegBridge.Engine.Api";

    private static Assembly Load(string name) => Assembly.Load(name);

    /// <summary>Types of <paramref name="types"/> that refer to a type of a forbidden assembly, with where and what.</summary>
    public static List<string> Violations(IEnumerable<Type> types, params string[] forbiddenAssemblies)
        => types.SelectMany(t => TypeReferences.Of(t)
                .Where(r => forbiddenAssemblies.Contains(r.Referenced.Assembly.GetName().Name))
                .Select(r => $"{t.FullName}: {r.Where} {r.Referenced.FullName}"))
            .Distinct().ToList();

    private static bool InEngineApi(Type t) => t.Namespace is { } ns && (ns == EngineApiNamespace || ns.StartsWith(EngineApiNamespace + ".", StringComparison.Ordinal));

    private static IEnumerable<Type> EngineCore() => Load("SegBridge.Engine").GetTypes().Where(t => !InEngineApi(t));

    private static void AssertNone(List<string> violations, string rule)
        => Assert.True(violations.Count == 0, $"{rule}; {violations.Count} references break it:\n{string.Join("\n", violations.Take(40))}");

    [Fact]
    public void The_engine_core_outside_Api_references_no_protocol_type()
        => AssertNone(Violations(EngineCore(), "SegBridge.Protocol"), $"only {EngineApiNamespace} may use SegBridge.Protocol");

    [Theory]
    [InlineData("SegBridge.Imaging", new[] { "TorchSharp", "StreamJsonRpc", "SegBridge.Protocol" })]
    [InlineData("SegBridge.Models", new[] { "SegBridge.Protocol", "SegBridge.Engine", "StreamJsonRpc" })]
    [InlineData("SegBridge.Models.Torch", new[] { "SegBridge.Protocol", "SegBridge.Engine", "StreamJsonRpc" })]
    public void A_lower_layer_references_nothing_above_it(string assembly, string[] forbidden)
    {
        var loaded = Load(assembly);
        var referenced = loaded.GetReferencedAssemblies().Select(a => a.Name).Intersect(forbidden).ToList();
        Assert.True(referenced.Count == 0, $"{assembly} references {string.Join(", ", referenced)}");
        AssertNone(Violations(loaded.GetTypes(), forbidden), $"{assembly} may not use {string.Join(", ", forbidden)}");
    }

    /// <summary>The planted types below break the Engine rule in the ways the core used to: the same check must report each.</summary>
    [Fact]
    public void The_reference_check_catches_a_planted_violation()
    {
        var planted = typeof(Planted.JournalThatUsesProtocolJson).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(Planted.JournalThatUsesProtocolJson).Namespace).ToList();
        var found = Violations(planted, "SegBridge.Protocol");
        Assert.Contains(found, v => v.Contains("JournalThatUsesProtocolJson") && v.Contains("calls get_Options of SegBridge.Protocol.ProtocolJson"));
        Assert.Contains(found, v => v.Contains("RestorerThatCatchesProtocolErrors") && v.Contains("catch SegBridge.Protocol.ProtocolException"));
        Assert.Contains(found, v => v.Contains("PlannerThatTakesProtocolParams") && v.Contains("parameter p SegBridge.Protocol.Messages.CreateSessionParams"));
        // A lambda's body is a method of a compiler-generated nested type: it is scanned too.
        Assert.Contains(found, v => v.Contains("PlannerThatTakesProtocolParams+") && v.Contains("SegBridge.Protocol.Messages.RegionDto"));
        Assert.DoesNotContain(found, v => v.Contains("CleanCoreType"));
    }

    // Source scan: catches what the compiler inlines (constants such as ErrorCodes.InvalidArgument) and leaves out of the IL.
    private static readonly Regex ProtocolInSource = new(@"\bSegBridge\.Protocol\b|(?<![\w.])Protocol\.[A-Z]\w*", RegexOptions.Compiled);

    public static IEnumerable<string> SourceViolations(string file, string text)
        => text.Split('\n').Select((line, i) => (line, i))
            .Where(x => !x.line.TrimStart().StartsWith("//", StringComparison.Ordinal) && !x.line.TrimStart().StartsWith("///", StringComparison.Ordinal) && ProtocolInSource.IsMatch(x.line))
            .Select(x => $"{file}:{x.i + 1}: {x.line.Trim()}");

    [Fact]
    public void No_engine_source_file_outside_Api_names_the_protocol()
    {
        var root = Path.Combine(RepoPaths.Root, "src", "SegBridge.Engine");
        var files = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !IsUnder(f, Path.Combine(root, "Api")) && !IsUnder(f, Path.Combine(root, "obj")) && !IsUnder(f, Path.Combine(root, "bin")))
            .ToList();
        Assert.NotEmpty(files);
        AssertNone(files.SelectMany(f => SourceViolations(Path.GetRelativePath(root, f), File.ReadAllText(f))).ToList(), "only src/SegBridge.Engine/Api may name SegBridge.Protocol");
    }

    [Fact]
    public void The_source_scan_catches_a_planted_violation()
    {
        const string planted = """
            using SegBridge.Engine.Images;
            using SegBridge.Protocol;
            namespace SegBridge.Engine.Sessions;
            /// <summary>Protocol-free, says the comment.</summary>
            public sealed class Planted
            {
                public int Code => SegBridge.Protocol.ErrorCodes.InvalidArgument;
                public bool Caught(System.Exception e) => e is Protocol.ProtocolException;
                public string Name => "protocol version";
            }
            """;
        var found = SourceViolations("Sessions/Planted.cs", planted).ToList();
        Assert.Equal(["Sessions/Planted.cs:2", "Sessions/Planted.cs:7", "Sessions/Planted.cs:8"], found.Select(v => string.Join(':', v.Split(':').Take(2))));
    }

    private static bool IsUnder(string file, string folder) => file.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}
