namespace SegBridge.Imaging.Volumes;

/// <summary>The NIfTI-1 datatype codes this reader supports (the value is the code in the header).</summary>
public enum NiftiDataType : short
{
    UInt8 = 2, Int16 = 4, Int32 = 8, Float32 = 16, Float64 = 64, Int8 = 256, UInt16 = 512, UInt32 = 768,
}

public static class NiftiDataTypes
{
    /// <summary>Every code the standard defines, so an unsupported one can be named in the error.</summary>
    private static readonly Dictionary<int, string> Names = new()
    {
        [1] = "binary", [2] = "uint8", [4] = "int16", [8] = "int32", [16] = "float32", [32] = "complex64",
        [64] = "float64", [128] = "rgb24", [256] = "int8", [512] = "uint16", [768] = "uint32", [1024] = "int64",
        [1280] = "uint64", [1536] = "float128", [1792] = "complex128", [2048] = "complex256", [2304] = "rgba32",
    };

    public static string Supported => string.Join(", ", Enum.GetValues<NiftiDataType>().Select(t => $"{(short)t} {Name(t)}"));

    public static string Name(NiftiDataType type) => Name((int)type);

    public static string Name(int code) => Names.TryGetValue(code, out var name) ? name : "unknown";

    public static bool IsSupported(int code) => code is >= short.MinValue and <= short.MaxValue && Enum.IsDefined(typeof(NiftiDataType), (short)code);

    public static int Bytes(NiftiDataType type) => type switch
    {
        NiftiDataType.UInt8 or NiftiDataType.Int8 => 1,
        NiftiDataType.Int16 or NiftiDataType.UInt16 => 2,
        NiftiDataType.Int32 or NiftiDataType.UInt32 or NiftiDataType.Float32 => 4,
        _ => 8,
    };
}
