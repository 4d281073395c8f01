namespace SegBridge.Tests.Support;

/// <summary>
/// A folder of random-walker manifests for tests that need a click still computing when they act (supersede,
/// timeout, graceful stop). Their tolerance (1e-10) is never reached in float, so a solve runs exactly its
/// maxIterations: the work is fixed by the manifest, not by how fast the default solver happens to converge.
/// Pass <see cref="Folder"/> with --models.
/// </summary>
public sealed class SlowModels : IDisposable
{
    /// <summary>1000 conjugate-gradient iterations per level: about 10 s on a 1000×1000 image on the 2-core dev box, and it finishes.</summary>
    public const string Bounded = "rw-fixed-1000";
    /// <summary>The most iterations a manifest may ask for: runs until it is cancelled or the engine exits.</summary>
    public const string Endless = "rw-until-cancelled";

    public string Folder { get; } = Directory.CreateTempSubdirectory("segbridge-slow-models").FullName;

    public SlowModels()
    {
        Write(Bounded, 1000);
        Write(Endless, 1_000_000);
    }

    private void Write(string id, int iterations) => File.WriteAllText(Path.Combine(Folder, id + ".json"),
        $$$"""{"id":"{{{id}}}","name":"{{{id}}}","family":"classical/random-walker","parameters":{"beta":130,"tolerance":1e-10,"maxIterations":{{{iterations}}}}}""");

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
