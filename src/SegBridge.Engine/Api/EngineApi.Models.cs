using SegBridge.Protocol.Messages;

namespace SegBridge.Engine.Api;

/// <summary>models/list and models/describe: the registry as the client sees it.</summary>
public sealed partial class EngineApi
{
    public Task<ModelListResult> ListModelsAsync(EmptyParams? p = null, CancellationToken ct = default)
    {
        RequireInitialized();
        return Task.FromResult(new ModelListResult
        {
            Models = engine.Registry.Entries.Select(ProtocolMapping.ToInfo).ToArray(),
            ManifestErrors = engine.Registry.Errors.Select(e => new ManifestError { File = e.File, Field = e.Field, Message = e.Problem }).ToArray(),
        });
    }

    public Task<ModelDescription> DescribeModelAsync(ModelIdParams? p = null, CancellationToken ct = default)
    {
        RequireInitialized();
        var entry = FindModel(p?.ModelId);
        var parameters = System.Text.Json.JsonSerializer.Serialize(entry.Manifest.Parameters);
        return Task.FromResult(new ModelDescription { Model = ProtocolMapping.ToInfo(entry), ParametersJson = parameters });
    }
}
