using System.Reflection;
using System.Reflection.Emit;

namespace SegBridge.Tests.Architecture;

/// <summary>
/// Every type a compiled type refers to: its base and interfaces, the types of its fields, properties, events and
/// method signatures, its attributes, and what its method bodies use — locals, catch clauses, and each field,
/// method and type token of the IL (so a static call such as <c>ProtocolJson.Options</c> or a lambda's body counts).
/// Compile-time constants are inlined by the compiler and leave no reference; the source scan covers those.
/// </summary>
public static class TypeReferences
{
    private const BindingFlags Declared = BindingFlags.DeclaredOnly | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    /// <summary>(what refers, the type referred to) for one type; nested types (lambdas, async state machines) are scanned on their own.</summary>
    public static IEnumerable<(string Where, Type Referenced)> Of(Type type)
    {
        var found = new List<(string, Type)>();
        void Add(string where, Type? t) { foreach (var x in Flatten(t)) found.Add((where, x)); }

        Add("base type", type.BaseType);
        foreach (var i in type.GetInterfaces()) Add("interface", i);
        foreach (var a in type.CustomAttributes) Add("attribute", a.AttributeType);
        foreach (var f in type.GetFields(Declared)) Add($"field {f.Name}", f.FieldType);
        foreach (var p in type.GetProperties(Declared)) Add($"property {p.Name}", p.PropertyType);
        foreach (var e in type.GetEvents(Declared)) Add($"event {e.Name}", e.EventHandlerType);
        foreach (var m in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            var where = $"{m.Name}";
            if (m is MethodInfo mi) Add($"{where} returns", mi.ReturnType);
            foreach (var p in m.GetParameters()) Add($"{where} parameter {p.Name}", p.ParameterType);
            foreach (var a in m.CustomAttributes) Add($"{where} attribute", a.AttributeType);
            if (m.GetMethodBody() is not { } body) continue;
            foreach (var l in body.LocalVariables) Add($"{where} local", l.LocalType);
            foreach (var c in body.ExceptionHandlingClauses.Where(c => c.Flags == ExceptionHandlingClauseOptions.Clause))
                Add($"{where} catch", c.CatchType);
            foreach (var (what, t) in FromIl(m, body.GetILAsByteArray() ?? [])) Add($"{where} {what}", t);
        }
        return found;
    }

    /// <summary>Array, pointer and by-ref element types, generic definitions and their arguments, down to the named types.</summary>
    private static IEnumerable<Type> Flatten(Type? t)
    {
        if (t is null || t.IsGenericParameter) yield break;
        if (t.HasElementType) { foreach (var x in Flatten(t.GetElementType())) yield return x; yield break; }
        if (t.IsGenericType && !t.IsGenericTypeDefinition)
        {
            foreach (var x in Flatten(t.GetGenericTypeDefinition())) yield return x;
            foreach (var a in t.GetGenericArguments()) foreach (var x in Flatten(a)) yield return x;
            yield break;
        }
        yield return t;
    }

    /// <summary>(the calling method, the method it calls) for every call in the type's own method bodies.</summary>
    public static IEnumerable<(MethodBase Caller, MethodBase Callee)> Calls(Type type)
    {
        foreach (var m in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
            if (m.GetMethodBody() is { } body)
                foreach (var member in Tokens(m, body.GetILAsByteArray() ?? []))
                    if (member is MethodBase callee) yield return (m, callee);
    }

    private static IEnumerable<(string What, Type Type)> FromIl(MethodBase method, byte[] il)
    {
        foreach (var member in Tokens(method, il))
            switch (member)
            {
                case Type t: yield return ($"uses type", t); break;
                case FieldInfo f:
                    yield return ($"uses field {f.Name} of", f.DeclaringType!);
                    yield return ($"uses field {f.Name}", f.FieldType);
                    break;
                case MethodBase m:
                    if (m.DeclaringType is { } owner) yield return ($"calls {m.Name} of", owner);
                    if (m is MethodInfo mi) yield return ($"calls {m.Name} returning", mi.ReturnType);
                    foreach (var p in m.GetParameters()) yield return ($"calls {m.Name} with", p.ParameterType);
                    break;
            }
    }

    /// <summary>The field, method and type each token of the IL names, in order.</summary>
    private static IEnumerable<MemberInfo> Tokens(MethodBase method, byte[] il)
    {
        var module = method.Module;
        var typeArgs = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        int pos = 0;
        while (pos < il.Length)
        {
            short value = il[pos++];
            if (value == 0xFE) value = (short)(0xFE00 | il[pos++]);
            var op = OpCodesByValue[value];
            int size = op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, pos),
                _ => 4,
            };
            if (op.OperandType is OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineType or OperandType.InlineTok)
            {
                var token = BitConverter.ToInt32(il, pos);
                yield return module.ResolveMember(token, typeArgs, methodArgs)!;
            }
            pos += size;
        }
    }
}
