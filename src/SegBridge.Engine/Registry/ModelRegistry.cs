using System.Security.Cryptography;
using NLog;
using SegBridge.Models;

namespace SegBridge.Engine.Registry;

/// <summary>
/// Every model the engine knows, built from manifests at start-up. Bad manifests are collected as
/// errors (file + field) and the rest still load; a valid manifest whose family is not built in, or
/// whose weights are missing or corrupt, is listed as unavailable with the reason and never runs.
/// </summary>
public sealed class ModelRegistry
{
    private static readonly Logger Log = LogManager.GetCurrentClassLogger();
    private readonly Dictionary<string, ModelEntry> _entries = new(StringComparer.Ordinal);
    private readonly List<ManifestException> _errors = [];

    public IReadOnlyCollection<ModelEntry> Entries => _entries.Values;
    public IReadOnlyList<ManifestException> Errors => _errors;

    public ModelRegistry(IEnumerable<IModelFamily> families, IEnumerable<string> manifestDirectories)
    {
        var byFamily = families.ToDictionary(f => f.Family, StringComparer.Ordinal);
        foreach (var dir in manifestDirectories)
        {
            if (!Directory.Exists(dir))
            {
                _errors.Add(new ManifestException(dir, null, "manifest folder does not exist"));
                continue;
            }
            foreach (var file in Directory.EnumerateFiles(dir, "*.json").Order(StringComparer.Ordinal))
            {
                if (Path.GetFileName(file).EndsWith(".schema.json", StringComparison.Ordinal)) continue;
                try { Add(ManifestReader.Read(file), byFamily); }
                catch (ManifestException e)
                {
                    Log.Warn("skipped manifest {0}", e.Message);
                    _errors.Add(e);
                }
            }
        }
        Log.Info("model registry: {0} models ({1} ready), {2} manifest errors", _entries.Count, _entries.Values.Count(e => e.IsReady), _errors.Count);
    }

    public bool TryGet(string id, out ModelEntry entry) => _entries.TryGetValue(id, out entry!);

    private void Add(ModelManifest manifest, Dictionary<string, IModelFamily> families)
    {
        if (_entries.TryGetValue(manifest.Id, out var existing))
            throw new ManifestException(manifest.File, "id", $"'{manifest.Id}' is already defined by {existing.Manifest.File}");

        if (!families.TryGetValue(manifest.Family, out var family))
        {
            var reason = $"family '{manifest.Family}' is not built into this engine; built in: {string.Join(", ", families.Keys.Order())}";
            _entries[manifest.Id] = new ModelEntry(manifest, manifest.Interactions ?? [], null, reason);
            return;
        }

        var interactions = manifest.Interactions ?? family.Interactions;
        var unsupported = interactions.Where(i => !family.Interactions.Contains(i)).ToList();
        if (unsupported.Count > 0)
            throw new ManifestException(manifest.File, "interactions", $"lists {string.Join(", ", unsupported)}, which family {family.Family} does not support; it supports {string.Join(", ", family.Interactions)}");

        var weightsProblem = CheckWeights(manifest);
        if (weightsProblem is not null)
        {
            _entries[manifest.Id] = new ModelEntry(manifest, interactions, null, weightsProblem);
            return;
        }

        ISegmentationModel model;
        var folder = Path.GetDirectoryName(Path.GetFullPath(manifest.File))!;
        var weightsFiles = manifest.Weights.Select(w => Path.GetFullPath(Path.Combine(folder, w.Path))).ToList();
        try { model = family.Create(new ModelParameters(manifest.Parameters), weightsFiles); }
        catch (ModelParameterException e) { throw new ManifestException(manifest.File, "parameters." + e.Field, e.Message["parameters.".Length..][e.Field.Length..].TrimStart()); }
        catch (ModelUnavailableException e)
        {
            Log.Warn("model {0} unavailable: {1}", manifest.Id, e.Message);
            _entries[manifest.Id] = new ModelEntry(manifest, interactions, null, e.Message);
            return;
        }
        if (manifest.Role == "guide" && model is not IRegionPredictor)
            throw new ManifestException(manifest.File, "role", $"is guide, but family {family.Family} cannot predict without interactions (it is not a region predictor)");
        if (manifest.InitialMask == ManifestReader.OwnInitialMask && model is not IRegionPredictor)
            throw new ManifestException(manifest.File, "initialMask", $"is '{ManifestReader.OwnInitialMask}', but family {family.Family} cannot predict without interactions; use '{ManifestReader.NoInitialMask}' or a guide model's id");
        _entries[manifest.Id] = new ModelEntry(manifest, interactions, model, null);
    }

    /// <summary>Weights must sit inside the manifest's folder and match their sha256; returns the problem or null.</summary>
    private static string? CheckWeights(ModelManifest manifest)
    {
        var folder = Path.GetFullPath(Path.GetDirectoryName(manifest.File)!);
        foreach (var w in manifest.Weights)
        {
            var full = Path.GetFullPath(Path.Combine(folder, w.Path));
            if (!full.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                return $"weights file '{w.Path}' is outside the manifest's folder";
            if (!File.Exists(full)) return $"weights file '{w.Path}' not found next to {Path.GetFileName(manifest.File)}";
            using var stream = File.OpenRead(full);
            var actual = Convert.ToHexStringLower(SHA256.HashData(stream));
            if (actual != w.Sha256) return $"weights file '{w.Path}' has sha256 {actual}, manifest expects {w.Sha256}";
        }
        return null;
    }
}
