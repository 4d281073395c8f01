using System.Reflection;
using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace SegBridge.Protocol;

/// <summary>
/// JSON settings of the wire format. The message records carry [DataMember(Name = …)] so one set of
/// names serves JSON and MessagePack alike; this resolver makes System.Text.Json honour those names.
/// </summary>
public static class ProtocolJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var resolver = new DefaultJsonTypeInfoResolver();
        resolver.Modifiers.Add(UseDataMemberNames);
        var options = new JsonSerializerOptions
        {
            TypeInfoResolver = resolver,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            NumberHandling = JsonNumberHandling.Strict,
            MaxDepth = 64,
        };
        options.MakeReadOnly();
        return options;
    }

    private static void UseDataMemberNames(JsonTypeInfo type)
    {
        if (type.Kind != JsonTypeInfoKind.Object || type.Type.GetCustomAttribute<DataContractAttribute>() is null) return;
        for (int i = type.Properties.Count - 1; i >= 0; i--)
        {
            var property = type.Properties[i];
            var member = property.AttributeProvider as MemberInfo;
            var dataMember = member?.GetCustomAttribute<DataMemberAttribute>();
            if (dataMember is null) { type.Properties.RemoveAt(i); continue; }
            if (!string.IsNullOrEmpty(dataMember.Name)) property.Name = dataMember.Name;
            // "required" is a C# construction rule for our own code, not a wire rule: clients may omit members.
            property.IsRequired = false;
        }
    }
}
