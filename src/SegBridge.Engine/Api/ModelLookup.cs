using SegBridge.Engine.Registry;
using SegBridge.Models;
using SegBridge.Protocol;

namespace SegBridge.Engine.Api;

/// <summary>Finds a model by id for a request, with the protocol's errors naming the field and the ids that exist.</summary>
internal static class ModelLookup
{
    /// <summary>Any registered model (ready or not), or 2001 listing the known ids.</summary>
    public static ModelEntry Find(ModelRegistry registry, string id, string field)
    {
        if (registry.TryGet(id, out var entry)) return entry;
        var known = KnownIds(registry);
        throw Errors.Make(ErrorCodes.UnknownModel, $"unknown model '{id}'; known: {known}", field, known);
    }

    /// <summary>Every registered id, sorted, for messages that say what exists.</summary>
    public static string KnownIds(ModelRegistry registry) => string.Join(", ", registry.Entries.Select(e => e.Manifest.Id).Order());

    /// <summary>A model that can run, or 2001 (unknown) / 2002 (unavailable, with the reason and the ready ids).</summary>
    public static ModelEntry Ready(ModelRegistry registry, string id, string field)
    {
        var entry = Find(registry, id, field);
        if (entry.IsReady) return entry;
        var ready = string.Join(", ", registry.Entries.Where(e => e.IsReady).Select(e => e.Manifest.Id).Order());
        throw Errors.Make(ErrorCodes.ModelUnavailable, $"model '{id}' is unavailable: {entry.UnavailableReason}", field, ready);
    }

    /// <summary>
    /// A ready guide model (one that predicts without interactions), or 1003 with <paramref name="refusal"/>'s
    /// message, which is given the sorted guide ids to name.
    /// </summary>
    public static (ModelEntry Entry, IRegionPredictor Predictor) Guide(ModelRegistry registry, string id, string field, Func<ModelEntry, string, string> refusal)
    {
        var entry = Ready(registry, id, field);
        if (entry.Model is IRegionPredictor predictor) return (entry, predictor);
        var guides = string.Join(", ", registry.Entries.Where(e => e.Model is IRegionPredictor).Select(e => e.Manifest.Id).Order());
        throw Errors.Argument(field, refusal(entry, guides), guides);
    }
}
