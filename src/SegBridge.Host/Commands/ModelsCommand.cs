using System.CommandLine;
using System.Text.Json;
using SegBridge.Engine.Api;
using SegBridge.Protocol;
using SegBridge.Protocol.Messages;

namespace SegBridge.Host.Commands;

internal static class ModelsCommand
{
    public static Command Create()
    {
        var settings = new EngineSettings();
        var json = new Option<bool>("--json") { Description = "Print the models/list result as JSON" };
        var list = new Command("list", "List every model in the registry with its status") { json };
        settings.AddTo(list);
        list.SetAction(async (parse, ct) =>
        {
            var api = new EngineApi(settings.Build(parse));
            await api.InitializeAsync(new InitializeParams { ClientName = "segbridge-cli", ProtocolVersion = ProtocolInfo.Version }, ct);
            var result = await api.ListModelsAsync(new EmptyParams(), ct);
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(result, new JsonSerializerOptions(ProtocolJson.Options) { WriteIndented = true }));
                return 0;
            }
            Console.Out.WriteLine($"{"ID",-22} {"FAMILY",-26} {"STATUS",-12} INTERACTIONS");
            foreach (var m in result.Models.OrderBy(m => m.Id))
            {
                Console.Out.WriteLine($"{m.Id,-22} {m.Family,-26} {m.Status,-12} {string.Join(",", m.Interactions)}");
                if (m.Reason is not null) Console.Out.WriteLine($"{"",-22} reason: {m.Reason}");
            }
            foreach (var e in result.ManifestErrors)
                Console.Error.WriteLine($"segbridge: manifest error: {e.File}{(e.Field is null ? "" : $" field '{e.Field}'")}: {e.Message}");
            return 0;
        });
        return new Command("models", "Inspect the model registry") { list };
    }
}
