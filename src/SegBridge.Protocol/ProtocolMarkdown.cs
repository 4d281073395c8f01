using System.Text;
using System.Text.Json.Nodes;

namespace SegBridge.Protocol;

/// <summary>
/// A Markdown summary of the contract for people: methods grouped by namespace with their params and result fields,
/// the notifications and the error codes. It reads the same method list and the same JSON schemas as
/// <see cref="OpenRpcDocument"/>, so the two never disagree; <c>segbridge protocol --markdown</c> writes it to
/// <c>src/SegBridge.Protocol/README.md</c> and a test fails when the checked-in copy is stale.
/// The output depends only on the contract (declaration order, no clock, no machine), so regenerating is a no-op
/// until the contract changes.
/// </summary>
public static class ProtocolMarkdown
{
    public const string RegenerateCommand = "segbridge protocol --markdown --out src/SegBridge.Protocol/README.md";

    // Methods without a namespace prefix (initialize, shutdown, ping) belong to the connection itself.
    private const string ConnectionGroup = "connection";

    public static string Generate()
    {
        var methods = OpenRpcDocument.Methods();
        var groups = methods.GroupBy(m => NamespaceOf(m.Name)).ToList();
        var md = new StringBuilder();
        var shownIn = new Dictionary<Type, string>();
        md.Append($"# SegBridge protocol {ProtocolInfo.Version}\n\n");
        md.Append($"<!-- Generated from the contract (ISegBridgeApi, Messages/, ErrorCodes, ProtocolNotifications) by `{RegenerateCommand}`. Do not edit by hand: a test fails when this file is stale. -->\n\n");
        md.Append("JSON-RPC 2.0. Every method takes one params object by name (a missing params object reads as an empty one) ");
        md.Append("and returns one object. Framing: `Content-Length: N\\r\\n\\r\\n` + UTF-8 JSON (stdio, pipe), or MessagePack with a 4-byte big-endian length ");
        md.Append("prefix; one JSON message per text frame on WebSocket. Cancellation: `$/cancelRequest {id}` → error -32800. ");
        md.Append("The machine-readable description of the same contract is [openrpc.json](openrpc.json) (`segbridge protocol`); ");
        md.Append("what the fields mean and how the engine behaves is written by hand in [NOTES.md](NOTES.md).\n\n");
        md.Append("Types: `?` = may be null, `[]` = array; `a.b` is field `b` of object `a`, `a[].b` field `b` of each element of array `a`.\n\n");

        md.Append("## Methods\n\n| namespace | methods |\n| --- | --- |\n");
        foreach (var group in groups)
            md.Append($"| [{group.Key}](#{group.Key}) | {string.Join(", ", group.Select(m => $"`{m.Name}`"))} |\n");

        foreach (var group in groups)
        {
            md.Append($"\n## {group.Key}\n");
            foreach (var method in group)
            {
                md.Append($"\n### `{method.Name}`\n\n{method.Summary}\n");
                AppendFields(md, "Params", method.Params, method.Name, shownIn);
                AppendFields(md, $"Result (`{method.Result.Name}`)", method.Result, method.Name, shownIn);
            }
        }

        md.Append("\n## Notifications\n\nSent by the engine (JSON-RPC requests without an id) only to a request that carried a `progressToken`, ");
        md.Append("in order and all before that request's response, on the same connection.\n");
        foreach (var notification in ProtocolNotifications.All)
        {
            md.Append($"\n### `{notification.Name}`\n\n{notification.Summary}\n");
            AppendFields(md, "Params", notification.Params, notification.Name, shownIn);
        }

        md.Append("\n## Error codes\n\nErrors are JSON-RPC error objects with `data {field, allowed, codeName}`. ");
        md.Append("The standard JSON-RPC codes keep their meaning: -32700 parse error, -32600 invalid request, -32601 unknown method, ");
        md.Append("-32602 params that do not bind, -32800 request cancelled. SegBridge's own codes are never reused for another meaning:\n\n");
        md.Append("| code | name |\n| --- | --- |\n");
        foreach (var (code, name) in ErrorCodes.Names.OrderBy(kv => kv.Key))
            md.Append($"| {code} | `{name}` |\n");
        return md.ToString();
    }

    /// <summary>The anchor GitHub gives the heading <c>### `name`</c>: backticks and slashes dropped.</summary>
    private static string Anchor(string name) => name.Replace("/", "").Replace("$", "").ToLowerInvariant();

    private static string NamespaceOf(string method)
        => method.IndexOf('/') is var slash and > 0 ? method[..slash] : ConnectionGroup;

    /// <summary>
    /// The field table of a params or result type; a type already tabled under an earlier method (every
    /// <c>sessions/*</c> mask result, say) links to that table instead of repeating it.
    /// </summary>
    private static void AppendFields(StringBuilder md, string title, Type type, string owner, Dictionary<Type, string> shownIn)
    {
        if (shownIn.TryGetValue(type, out var first))
        {
            md.Append($"\n{title}: as in [`{first}`](#{Anchor(first)}).\n");
            return;
        }
        var root = OpenRpcDocument.Schema(type);
        var rows = new List<(string Field, string Type)>();
        if (root["properties"] is JsonObject props)
            foreach (var (name, schema) in props)
                AddRows(rows, name, schema, root, depth: 0);
        if (rows.Count == 0)
        {
            md.Append($"\n{title}: none.\n");
            return;
        }
        shownIn[type] = owner;
        md.Append($"\n{title}:\n\n| field | type |\n| --- | --- |\n");
        foreach (var (field, fieldType) in rows)
            md.Append($"| `{field}` | {fieldType} |\n");
    }

    /// <summary>
    /// One row per field; an object's members follow it as <c>field.member</c>, an array of objects' members as
    /// <c>field[].member</c>. A <c>$ref</c> (the schema exporter's way of reusing a type already seen) is resolved against
    /// the type's own schema; the depth bound only guards against a self-referencing type.
    /// </summary>
    private static void AddRows(List<(string, string)> rows, string path, JsonNode? schema, JsonNode root, int depth)
    {
        schema = Resolve(schema, root);
        rows.Add((path, TypeName(schema, root)));
        if (depth >= 6 || schema is not JsonObject obj) return;
        var (members, prefix) = obj["properties"] is JsonObject own ? (own, path + ".")
            : Resolve(obj["items"], root) is JsonObject { } items && items["properties"] is JsonObject itemProps ? (itemProps, path + "[].")
            : (null, "");
        if (members is null) return;
        foreach (var (name, member) in members)
            AddRows(rows, prefix + name, member, root, depth + 1);
    }

    private static string TypeName(JsonNode? schema, JsonNode root)
    {
        if (schema is not JsonObject obj) return "any";
        var (kind, nullable) = obj["type"] switch
        {
            JsonValue single => (single.GetValue<string>(), false),
            JsonArray several => (several.Select(t => t!.GetValue<string>()).First(t => t != "null"), several.Any(t => t!.GetValue<string>() == "null")),
            _ => ("any", false),
        };
        var name = kind == "array" ? TypeName(Resolve(obj["items"], root), root).TrimEnd('?') + "[]" : kind;
        return nullable ? name + "?" : name;
    }

    private static JsonNode? Resolve(JsonNode? schema, JsonNode root)
    {
        if (schema is not JsonObject obj || obj["$ref"] is not JsonValue reference) return schema;
        var pointer = reference.GetValue<string>();
        if (!pointer.StartsWith('#')) throw new InvalidOperationException($"schema reference {pointer} is not local");
        JsonNode? target = root;
        foreach (var part in pointer[1..].Split('/', StringSplitOptions.RemoveEmptyEntries))
            target = target?[part.Replace("~1", "/").Replace("~0", "~")];
        return target ?? throw new InvalidOperationException($"schema reference {pointer} does not resolve");
    }
}
