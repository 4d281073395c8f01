using System.Text.Json;
using SegBridge.Models;
using SegBridge.Models.Torch;
using SegBridge.Tests.Support;

namespace SegBridge.Tests.Models;

/// <summary>
/// plugin-manifests/manifest.schema.json is what an editor checks a manifest against; its family list must be the
/// families the engine registers, spelled as the code spells them, or an editor accepts a manifest the engine lists as unavailable.
/// </summary>
public sealed class ManifestSchemaTests
{
    private static string ManifestFolder => Path.Combine(RepoPaths.Root, "plugin-manifests");

    private static List<string> SchemaFamilies()
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(ManifestFolder, "manifest.schema.json")));
        return schema.RootElement.GetProperty("properties").GetProperty("family").GetProperty("enum")
            .EnumerateArray().Select(f => f.GetString()!).ToList();
    }

    [Fact]
    public void Schema_family_enum_is_exactly_the_registered_families()
    {
        var registered = BuiltInFamilies.All.Concat(TorchFamilies.All).Select(f => f.Family).Order(StringComparer.Ordinal);
        Assert.Equal(registered, SchemaFamilies().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_shipped_manifest_names_a_family_of_the_schema()
    {
        var families = SchemaFamilies();
        var manifests = Directory.EnumerateFiles(ManifestFolder, "*.json").Where(f => !f.EndsWith(".schema.json", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(manifests);
        foreach (var file in manifests)
        {
            using var manifest = JsonDocument.Parse(File.ReadAllText(file));
            Assert.True(families.Contains(manifest.RootElement.GetProperty("family").GetString()!), $"{Path.GetFileName(file)}: family not in manifest.schema.json");
        }
    }
}
