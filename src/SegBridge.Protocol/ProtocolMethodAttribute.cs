namespace SegBridge.Protocol;

/// <summary>Marks a contract method with its JSON-RPC name. Hosts bind by this name; the OpenRPC document is generated from it.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ProtocolMethodAttribute(string name, string summary) : Attribute
{
    public string Name { get; } = name;
    public string Summary { get; } = summary;
}
