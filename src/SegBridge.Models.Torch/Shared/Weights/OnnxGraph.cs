using Google.Protobuf;

namespace SegBridge.Models.Torch.Weights;

/// <summary>
/// The part of an ONNX model a weight import needs: the graph's nodes in order (operator, inputs, outputs, integer
/// attributes) and its float initialisers. Google.Protobuf reads the wire format; the few field numbers of
/// onnx.proto this walks (ModelProto.graph 7; GraphProto node 1, initializer 5; NodeProto input 1, output 2,
/// op_type 4, attribute 5; AttributeProto name 1, i 3, ints 8; TensorProto dims 1, data_type 2, float_data 4,
/// name 8, raw_data 9) are the stable core of the format, so no generated schema is carried.
/// </summary>
public sealed class OnnxGraph
{
    public sealed record Node(string OpType, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs, IReadOnlyDictionary<string, long[]> Ints);

    public sealed record Tensor(string Name, long[] Dims, float[] Values);

    private const int FloatType = 1;

    public IReadOnlyList<Node> Nodes { get; }
    public IReadOnlyDictionary<string, Tensor> Initializers { get; }

    private OnnxGraph(List<Node> nodes, Dictionary<string, Tensor> initializers)
    {
        Nodes = nodes;
        Initializers = initializers;
    }

    /// <summary>Reads an ONNX file; a file that is not one (or holds no graph) is refused with <see cref="InvalidDataException"/>.</summary>
    public static OnnxGraph Read(string path) => Parse(File.ReadAllBytes(path), Path.GetFileName(path));

    /// <summary>An ONNX model already in memory; <paramref name="name"/> names it in refusals.</summary>
    public static OnnxGraph Parse(byte[] bytes, string name)
    {
        try
        {
            var model = new CodedInputStream(bytes);
            ByteString? graph = null;
            for (uint tag; (tag = model.ReadTag()) != 0;)
                if (Field(tag) == 7) graph = model.ReadBytes();
                else model.SkipLastField();
            if (graph is null) throw new InvalidDataException($"{name} holds no ONNX graph");
            var nodes = new List<Node>();
            var initializers = new Dictionary<string, Tensor>();
            var input = graph.CreateCodedInput();
            for (uint tag; (tag = input.ReadTag()) != 0;)
                switch (Field(tag))
                {
                    case 1: nodes.Add(ReadNode(input.ReadBytes())); break;
                    case 5 when ReadTensor(input.ReadBytes()) is { } t: initializers[t.Name] = t; break;
                    default: input.SkipLastField(); break;
                }
            return new OnnxGraph(nodes, initializers);
        }
        catch (InvalidProtocolBufferException e) { throw new InvalidDataException($"{name} is not an ONNX model: {e.Message}", e); }
    }

    private static int Field(uint tag) => WireFormat.GetTagFieldNumber(tag);

    private static Node ReadNode(ByteString bytes)
    {
        var input = bytes.CreateCodedInput();
        List<string> inputs = [], outputs = [];
        string op = "";
        var ints = new Dictionary<string, long[]>();
        for (uint tag; (tag = input.ReadTag()) != 0;)
            switch (Field(tag))
            {
                case 1: inputs.Add(input.ReadString()); break;
                case 2: outputs.Add(input.ReadString()); break;
                case 4: op = input.ReadString(); break;
                case 5:
                    var (name, values) = ReadIntAttribute(input.ReadBytes());
                    if (values.Length > 0) ints[name] = values;
                    break;
                default: input.SkipLastField(); break;
            }
        return new Node(op, inputs, outputs, ints);
    }

    /// <summary>An attribute's integers (i or ints); empty for float, string or tensor attributes.</summary>
    private static (string Name, long[] Values) ReadIntAttribute(ByteString bytes)
    {
        var input = bytes.CreateCodedInput();
        string name = "";
        var values = new List<long>();
        for (uint tag; (tag = input.ReadTag()) != 0;)
            switch (Field(tag))
            {
                case 1: name = input.ReadString(); break;
                case 3: values.Add(input.ReadInt64()); break;
                case 8: ReadInt64s(input, tag, values); break;
                default: input.SkipLastField(); break;
            }
        return (name, values.ToArray());
    }

    /// <summary>A float tensor's name, shape and values (from float_data or little-endian raw_data); null for other types.</summary>
    private static Tensor? ReadTensor(ByteString bytes)
    {
        var input = bytes.CreateCodedInput();
        var dims = new List<long>();
        var floats = new List<float>();
        int type = 0;
        string name = "";
        ByteString? raw = null;
        for (uint tag; (tag = input.ReadTag()) != 0;)
            switch (Field(tag))
            {
                case 1: ReadInt64s(input, tag, dims); break;
                case 2: type = input.ReadInt32(); break;
                case 4:
                    if (WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
                    {
                        var packed = input.ReadBytes().Span;
                        for (int i = 0; i + 4 <= packed.Length; i += 4) floats.Add(BitConverter.ToSingle(packed[i..(i + 4)]));
                    }
                    else floats.Add(input.ReadFloat());
                    break;
                case 8: name = input.ReadString(); break;
                case 9: raw = input.ReadBytes(); break;
                default: input.SkipLastField(); break;
            }
        if (type != FloatType) return null;
        var values = raw is { Length: > 0 } ? System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(raw.Span).ToArray() : floats.ToArray();
        long count = dims.Aggregate(1L, (a, d) => a * d);
        if (values.Length != count) throw new InvalidDataException($"ONNX tensor '{name}' has {values.Length} values for shape [{string.Join(", ", dims)}]");
        return new Tensor(name, dims.ToArray(), values);
    }

    /// <summary>A repeated int64 field, packed (one length-delimited run) or not (one value per tag).</summary>
    private static void ReadInt64s(CodedInputStream input, uint tag, List<long> into)
    {
        if (WireFormat.GetTagWireType(tag) != WireFormat.WireType.LengthDelimited) { into.Add(input.ReadInt64()); return; }
        var packed = input.ReadBytes().CreateCodedInput();
        while (!packed.IsAtEnd) into.Add(packed.ReadInt64());
    }
}
