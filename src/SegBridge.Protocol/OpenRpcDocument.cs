using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;

namespace SegBridge.Protocol;

/// <summary>
/// Generates the OpenRPC 1.3 description of <see cref="ISegBridgeApi"/> from the contract itself,
/// so clients in other languages are written against exactly what the engine serves.
/// </summary>
public static class OpenRpcDocument
{
    public static string Generate()
    {
        var schemas = new JsonObject();
        var methods = new JsonArray();
        foreach (var method in Methods())
        {
            methods.Add(new JsonObject
            {
                ["name"] = method.Name,
                ["summary"] = method.Summary,
                ["paramStructure"] = "by-name",
                ["params"] = new JsonArray(ParamsOf(method.Params, schemas).ToArray<JsonNode?>()),
                ["result"] = new JsonObject { ["name"] = method.Result.Name, ["schema"] = Ref(method.Result, schemas) },
            });
        }
        // OpenRPC describes client-to-server methods only; the engine's notifications go in an extension, same shape.
        var notifications = new JsonArray(ProtocolNotifications.All.Select(n => (JsonNode)new JsonObject
        {
            ["name"] = n.Name,
            ["summary"] = n.Summary,
            ["paramStructure"] = "by-name",
            ["params"] = new JsonArray(ParamsOf(n.Params, schemas).ToArray<JsonNode?>()),
        }).ToArray());
        var errors = new JsonArray(ErrorCodes.Names.OrderBy(kv => kv.Key)
            .Select(kv => (JsonNode)new JsonObject { ["code"] = kv.Key, ["message"] = kv.Value }).ToArray());
        var doc = new JsonObject
        {
            ["openrpc"] = "1.3.2",
            ["info"] = new JsonObject
            {
                ["title"] = "SegBridge engine protocol",
                ["version"] = ProtocolInfo.Version,
                ["description"] = "JSON-RPC 2.0 over stdio (Content-Length framing) or a Unix domain socket ($XDG_RUNTIME_DIR/segbridge/NAME, else $TMPDIR/segbridge-UID/NAME, in a folder only its owner can enter). " +
                                  "Binary encoding: MessagePack with a 4-byte big-endian length prefix. Cancellation: $/cancelRequest {id} -> error -32800. " +
                                  "Progress: a request with a progressToken gets the notifications in x-notifications carrying that token before its response.",
            },
            ["methods"] = methods,
            ["components"] = new JsonObject { ["schemas"] = schemas },
            ["x-notifications"] = notifications,
            ["x-error-codes"] = errors,
        };
        return doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>One contract method: its JSON-RPC name, summary, params type and result type.</summary>
    public sealed record Method(string Name, string Summary, Type Params, Type Result);

    /// <summary>
    /// The contract's methods in declaration order, read from <see cref="ISegBridgeApi"/>'s attributes. Both the OpenRPC
    /// document and <see cref="ProtocolMarkdown"/> are built from this list and <see cref="Schema"/>, so they cannot disagree.
    /// </summary>
    public static IReadOnlyList<Method> Methods()
        => typeof(ISegBridgeApi).GetMethods().OrderBy(m => m.MetadataToken).Select(method =>
        {
            var attr = method.GetCustomAttribute<ProtocolMethodAttribute>()
                ?? throw new InvalidOperationException($"{method.Name} has no [ProtocolMethod]");
            return new Method(attr.Name, attr.Summary, method.GetParameters()[0].ParameterType, method.ReturnType.GetGenericArguments()[0]);
        }).ToList();

    /// <summary>Each member of the single params object becomes an OpenRPC param, as by-name calls send them.</summary>
    private static IEnumerable<JsonNode> ParamsOf(Type paramType, JsonObject schemas)
    {
        var schema = Schema(paramType);
        if (schema["properties"] is not JsonObject props) yield break;
        foreach (var (name, value) in props)
            yield return new JsonObject { ["name"] = name, ["schema"] = value!.DeepClone() };
        schemas[paramType.Name] = schema;
    }

    private static JsonObject Ref(Type type, JsonObject schemas)
    {
        schemas[type.Name] = Schema(type);
        return new JsonObject { ["$ref"] = $"#/components/schemas/{type.Name}" };
    }

    /// <summary>The JSON schema of a params or result type as the wire serializer sees it (names from [DataMember]).</summary>
    internal static JsonNode Schema(Type type)
        => ProtocolJson.Options.GetJsonSchemaAsNode(type, new JsonSchemaExporterOptions { TreatNullObliviousAsNonNullable = true });
}
