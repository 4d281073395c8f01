using System.Reflection;
using SegBridge.Models;
using SegBridge.Models.Torch;
using SegBridge.Models.Training;
using SegBridge.Tests.Support;

namespace SegBridge.Tests.Models.Torch;

/// <summary>
/// One folder per learned family: each family type lives in its own folder of SegBridge.Models.Torch with a README
/// and a mirrored test folder, and is registered (with its trainer) in TorchFamilies. Adding a family that
/// forgets one of these fails here.
/// </summary>
public class FamilyLayoutTests
{
    private static readonly string Source = Path.Combine(RepoPaths.Root, "src", "SegBridge.Models.Torch");
    private static readonly Assembly Torch = typeof(TorchFamilies).Assembly;

    private static IEnumerable<Type> Implementations<T>() => Torch.GetTypes().Where(t => typeof(T).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false });

    private static string Folder(Type type) => type.Namespace!["SegBridge.Models.Torch.".Length..].Split('.')[0];

    [Fact]
    public void Every_family_lives_in_its_own_folder_with_a_readme_a_source_file_and_a_test_folder()
    {
        var families = Implementations<IModelFamily>().ToList();
        Assert.NotEmpty(families);
        foreach (var type in families)
        {
            var folder = Folder(type);
            Assert.NotEqual("Shared", folder);
            Assert.True(File.Exists(Path.Combine(Source, folder, "README.md")), $"{type.Name}: {folder}/README.md is missing");
            Assert.True(File.Exists(Path.Combine(Source, folder, type.Name + ".cs")), $"{type.Name} is not in {folder}/{type.Name}.cs");
            Assert.True(Directory.Exists(Path.Combine(RepoPaths.Root, "tests", "SegBridge.Tests", "Models", "Torch", folder)), $"{type.Name}: no tests/SegBridge.Tests/Models/Torch/{folder}/");
        }
        Assert.Equal(families.Count, families.Select(Folder).Distinct().Count());
    }

    [Fact]
    public void Every_folder_but_shared_is_one_family()
    {
        var folders = Directory.GetDirectories(Source).Select(Path.GetFileName).Where(f => f is not ("bin" or "obj" or "Shared")).Order().ToList();
        Assert.Equal(folders, Implementations<IModelFamily>().Select(Folder).Order().ToList());
        Assert.Equal(["SegBridge.Models.Torch.csproj", "TorchFamilies.cs"], Directory.GetFiles(Source).Select(Path.GetFileName).Order().ToList());
    }

    [Fact]
    public void Every_family_and_trainer_is_registered_once()
    {
        Assert.Equal(Implementations<IModelFamily>().Order(TypeNames).ToList(), TorchFamilies.All.Select(f => f.GetType()).Order(TypeNames).ToList());
        Assert.Equal(Implementations<IModelTrainer>().Order(TypeNames).ToList(), TorchFamilies.Trainers.Select(t => t.GetType()).Distinct().Order(TypeNames).ToList());
        Assert.Equal(TorchFamilies.Trainers.Count, TorchFamilies.Trainers.Select(t => t.Family).Distinct().Count());
    }

    private static readonly Comparer<Type> TypeNames = Comparer<Type>.Create((a, b) => string.CompareOrdinal(a.FullName, b.FullName));
}
