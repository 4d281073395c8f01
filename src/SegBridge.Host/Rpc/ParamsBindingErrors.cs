using System.Reflection;
using System.Runtime.Serialization;
using System.Text;
using System.Text.Json;
using SegBridge.Protocol;
using SegBridge.Protocol.Messages;
using StreamJsonRpc.Protocol;

namespace SegBridge.Host.Rpc;

/// <summary>
/// Params that do not bind to a method's params object, told in the protocol's own terms: the field by its JSON path
/// as the client wrote it and what it must be ("click.x must be a number"), never the .NET type the serializer
/// wanted. System.Text.Json says where it stopped (<see cref="JsonException.Path"/>); for anything else the message
/// lists the params object's fields.
/// </summary>
internal static partial class ParamsBindingErrors
{
    private static readonly Dictionary<string, Type> ParamsTypes = typeof(ISegBridgeApi).GetMethods()
        .Where(m => m.GetCustomAttribute<ProtocolMethodAttribute>() is not null)
        .ToDictionary(m => m.GetCustomAttribute<ProtocolMethodAttribute>()!.Name, m => m.GetParameters()[0].ParameterType);

    public static JsonRpcError.ErrorDetail Describe(JsonRpcRequest request, Exception e)
    {
        var method = request.Method ?? "";
        var root = ParamsTypes.GetValueOrDefault(method);
        var (field, expected) = root is null ? (null, null)
            : e is JsonException json ? AtJsonPath(root, json.Path ?? "$")
            : (null, null);
        var message = field is null
            ? $"params of {method} must be an object with fields {Fields(root)} (see `segbridge protocol`)"
            : $"{field} must be {expected}";
        return new JsonRpcError.ErrorDetail
        {
            Code = JsonRpcErrorCode.InvalidParams,
            Message = message,
            Data = new ErrorData { Field = field ?? "params", Allowed = field is null ? $"an object with fields {Fields(root)}" : expected, CodeName = "InvalidParams" },
        };
    }

    /// <summary>
    /// StreamJsonRpc's own refusal of a request it could not match to a method ("Unable to find method 'x/1' on …",
    /// which names .NET types): params of a known method that do not bind (a params array, an unknown field, a
    /// MessagePack value of the wrong type), or a method the protocol does not have, told in the protocol's terms.
    /// The frame handlers pass every reply through here before writing it.
    /// </summary>
    public static JsonRpcMessage InProtocolTerms(JsonRpcMessage reply)
    {
        if (reply is not JsonRpcError { Error: { Message: { } text } error } || UnmatchedMethod().Match(text) is not { Success: true } match) return reply;
        var method = match.Groups[1].Value;
        if (ParamsTypes.TryGetValue(method, out var root))
        {
            var allowed = Fields(root) is { Length: > 0 } fields ? $"an object with fields {fields}" : "an empty object, or no params";
            error.Message = $"params of {method} must be {allowed} (see `segbridge protocol`)";
            error.Data = new ErrorData { Field = "params", Allowed = allowed, CodeName = "InvalidParams" };
        }
        else
        {
            error.Message = $"method '{method}' is not part of the protocol; `segbridge protocol` lists its methods";
            error.Data = new ErrorData { Field = "method", CodeName = "MethodNotFound" };
        }
        return reply;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^Unable to find method '(.*?)/\d+'")]
    private static partial System.Text.RegularExpressions.Regex UnmatchedMethod();

    /// <summary>The field at a System.Text.Json path ("$.scribble.points[0][1]") and what its type must be; (null, null) at the root.</summary>
    private static (string?, string?) AtJsonPath(Type root, string path)
    {
        var type = root;
        var field = new StringBuilder();
        int i = 1; // past '$'
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                int end = path.IndexOfAny(['.', '['], i + 1);
                if (end < 0) end = path.Length;
                if (!Step(ref type, path[(i + 1)..end], field)) break;
                i = end;
            }
            else if (path.AsSpan(i).StartsWith("['"))
            {
                int end = path.IndexOf("']", i, StringComparison.Ordinal);
                if (end < 0 || !Step(ref type, path[(i + 2)..end], field)) break;
                i = end + 2;
            }
            else if (path[i] == '[')
            {
                int end = path.IndexOf(']', i);
                if (end < 0 || ElementType(type) is not { } element) break;
                field.Append(path, i, end - i + 1);
                type = element;
                i = end + 1;
            }
            else break;
        }
        return field.Length == 0 ? (null, null) : (field.ToString(), Noun(type));
    }

    private static bool Step(ref Type type, string name, StringBuilder field)
    {
        if (Member(type, name) is not { } member) return false;
        if (field.Length > 0) field.Append('.');
        field.Append(name);
        type = member.PropertyType;
        return true;
    }

    private static PropertyInfo? Member(Type type, string name)
        => Members(Nullable.GetUnderlyingType(type) ?? type).FirstOrDefault(p => p.Name == name).Property;

    private static IEnumerable<(string Name, PropertyInfo Property)> Members(Type type)
        => type.GetProperties().Select(p => (p.GetCustomAttribute<DataMemberAttribute>()?.Name, p)).Where(x => x.Name is not null).Select(x => (x.Name!, x.p));

    private static string Fields(Type? type) => type is null ? "" : string.Join(", ", Members(type).Select(m => m.Name));

    private static Type? ElementType(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t == typeof(byte[]) || t == typeof(string)) return null;
        if (t.IsArray) return t.GetElementType();
        return t.GetInterfaces().Append(t).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];
    }

    private static string Kind(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t == typeof(string) || t.IsEnum) return "string";
        if (t == typeof(bool)) return "bool";
        if (t == typeof(byte[])) return "bytes";
        if (t == typeof(int) || t == typeof(long) || t == typeof(short) || t == typeof(uint) || t == typeof(ulong) || t == typeof(byte) || t == typeof(sbyte) || t == typeof(ushort)) return "integer";
        if (t == typeof(double) || t == typeof(float) || t == typeof(decimal)) return "number";
        if (t == typeof(JsonElement) || t == typeof(object)) return "any";
        if (typeof(System.Collections.IDictionary).IsAssignableFrom(t)) return "map";
        if (ElementType(t) is not null) return "array";
        return "object";
    }

    /// <summary>What a value of <paramref name="type"/> is on the wire, in JSON's words.</summary>
    private static string Noun(Type type) => Kind(type) switch
    {
        "string" => "a string",
        "bool" => "true or false",
        "bytes" => "base64-encoded bytes (a string; binary in MessagePack)",
        "integer" => (Nullable.GetUnderlyingType(type) ?? type) == typeof(int) ? "a whole number from -2147483648 to 2147483647" : "a whole number",
        "number" => "a number",
        "any" => "a JSON value",
        "map" => "an object",
        "array" => $"an array of {Plural(ElementType(type)!)}",
        _ => $"an object with fields {Fields(Nullable.GetUnderlyingType(type) ?? type)}",
    };

    private static string Plural(Type type) => Kind(type) switch
    {
        "string" => "strings",
        "bool" => "booleans",
        "bytes" => "base64 strings",
        "integer" => "whole numbers",
        "number" => "numbers",
        "array" => $"arrays of {Plural(ElementType(type)!)}",
        "any" => "JSON values",
        _ => "objects",
    };
}
