using System.Buffers.Binary;
using System.Text;

namespace SegBridge.Imaging.Volumes;

/// <summary>
/// The fields of a NIfTI-1 header, as stored (no validation here: <see cref="NiftiLayout"/> checks them).
/// Every field that carries meaning is kept, so a volume written back keeps its orientation, units,
/// intent and description; the unused ANALYZE-7.5 leftovers (data_type, db_name, extents, …) are not.
/// Arrays are copied on parse and must be treated as read-only.
/// </summary>
public sealed record NiftiHeader
{
    public const int Size = 348;
    /// <summary>Header + the 4-byte extension flag: the earliest a single-file (n+1) volume's voxels may start.</summary>
    public const int MinVoxOffset = 352;

    public byte DimInfo { get; init; }
    /// <summary>dim[0] is the number of dimensions, dim[1..7] their sizes.</summary>
    public short[] Dim { get; init; } = [3, 1, 1, 1, 1, 1, 1, 1];
    public float IntentP1 { get; init; }
    public float IntentP2 { get; init; }
    public float IntentP3 { get; init; }
    public short IntentCode { get; init; }
    /// <summary>The raw datatype code (may be unsupported; see <see cref="NiftiDataTypes"/>).</summary>
    public short DataType { get; init; }
    public short BitPix { get; init; }
    public short SliceStart { get; init; }
    /// <summary>pixdim[0] is qfac (±1), pixdim[1..3] the voxel spacing, pixdim[4] the time step.</summary>
    public float[] PixDim { get; init; } = [1, 1, 1, 1, 1, 1, 1, 1];
    public float VoxOffset { get; init; } = MinVoxOffset;
    public float SclSlope { get; init; } = 1;
    public float SclInter { get; init; }
    public short SliceEnd { get; init; }
    public byte SliceCode { get; init; }
    public byte XyztUnits { get; init; }
    public float CalMax { get; init; }
    public float CalMin { get; init; }
    public float SliceDuration { get; init; }
    public float TOffset { get; init; }
    public string Description { get; init; } = "";
    public string AuxFile { get; init; } = "";
    public short QformCode { get; init; }
    public short SformCode { get; init; }
    public float QuaternB { get; init; }
    public float QuaternC { get; init; }
    public float QuaternD { get; init; }
    public float QoffsetX { get; init; }
    public float QoffsetY { get; init; }
    public float QoffsetZ { get; init; }
    public float[] SrowX { get; init; } = [1, 0, 0, 0];
    public float[] SrowY { get; init; } = [0, 1, 0, 0];
    public float[] SrowZ { get; init; } = [0, 0, 1, 0];
    public string IntentName { get; init; } = "";
    /// <summary>"n+1" (single file), "ni1" (header/image pair), or whatever the bytes held.</summary>
    public string Magic { get; init; } = "n+1";
    /// <summary>Whether the file was big-endian (told by sizeof_hdr); written files are always little-endian.</summary>
    public bool BigEndian { get; init; }

    /// <summary>
    /// Parses 348 bytes. The byte order is the one in which sizeof_hdr reads 348 — the standard's own rule.
    /// </summary>
    public static NiftiHeader Parse(ReadOnlySpan<byte> b)
    {
        if (b.Length < Size)
            throw new NiftiException("sizeof_hdr", $"the data ends after {b.Length} bytes, inside the header", $"a {Size}-byte NIfTI-1 header");
        bool big;
        int le = BinaryPrimitives.ReadInt32LittleEndian(b), be = BinaryPrimitives.ReadInt32BigEndian(b);
        if (le == Size) big = false;
        else if (be == Size) big = true;
        else if (le == 540 || be == 540) throw new NiftiException("sizeof_hdr", "540 is a NIfTI-2 header, which is not supported", "348 (NIfTI-1)");
        else throw new NiftiException("sizeof_hdr", $"is {le} (read little-endian) / {be} (big-endian); this is not a NIfTI-1 file", "348 in either byte order");
        var r = new FieldReader(b, big);
        return new NiftiHeader
        {
            BigEndian = big,
            DimInfo = b[39],
            Dim = r.I16s(40, 8),
            IntentP1 = r.F32(56), IntentP2 = r.F32(60), IntentP3 = r.F32(64), IntentCode = r.I16(68),
            DataType = r.I16(70), BitPix = r.I16(72), SliceStart = r.I16(74),
            PixDim = r.F32s(76, 8),
            VoxOffset = r.F32(108), SclSlope = r.F32(112), SclInter = r.F32(116),
            SliceEnd = r.I16(120), SliceCode = b[122], XyztUnits = b[123],
            CalMax = r.F32(124), CalMin = r.F32(128), SliceDuration = r.F32(132), TOffset = r.F32(136),
            Description = Text(b.Slice(148, 80)), AuxFile = Text(b.Slice(228, 24)),
            QformCode = r.I16(252), SformCode = r.I16(254),
            QuaternB = r.F32(256), QuaternC = r.F32(260), QuaternD = r.F32(264),
            QoffsetX = r.F32(268), QoffsetY = r.F32(272), QoffsetZ = r.F32(276),
            SrowX = r.F32s(280, 4),
            SrowY = r.F32s(296, 4),
            SrowZ = r.F32s(312, 4),
            IntentName = Text(b.Slice(328, 16)),
            Magic = Text(b.Slice(344, 4)),
        };
    }

    /// <summary>Writes the header little-endian as a single-file (n+1) header; <paramref name="b"/> must hold 348 bytes.</summary>
    public void WriteTo(Span<byte> b)
    {
        b[..Size].Clear();
        BinaryPrimitives.WriteInt32LittleEndian(b, Size);
        b[38] = (byte)'r'; // "regular", as nibabel and niftilib write it
        b[39] = DimInfo;
        for (int i = 0; i < 8; i++) BinaryPrimitives.WriteInt16LittleEndian(b[(40 + 2 * i)..], Dim[i]);
        F32(b, 56, IntentP1); F32(b, 60, IntentP2); F32(b, 64, IntentP3); I16(b, 68, IntentCode);
        I16(b, 70, DataType); I16(b, 72, BitPix); I16(b, 74, SliceStart);
        for (int i = 0; i < 8; i++) F32(b, 76 + 4 * i, PixDim[i]);
        F32(b, 108, VoxOffset); F32(b, 112, SclSlope); F32(b, 116, SclInter);
        I16(b, 120, SliceEnd); b[122] = SliceCode; b[123] = XyztUnits;
        F32(b, 124, CalMax); F32(b, 128, CalMin); F32(b, 132, SliceDuration); F32(b, 136, TOffset);
        PutText(b.Slice(148, 80), Description); PutText(b.Slice(228, 24), AuxFile);
        I16(b, 252, QformCode); I16(b, 254, SformCode);
        F32(b, 256, QuaternB); F32(b, 260, QuaternC); F32(b, 264, QuaternD);
        F32(b, 268, QoffsetX); F32(b, 272, QoffsetY); F32(b, 276, QoffsetZ);
        for (int i = 0; i < 4; i++) { F32(b, 280 + 4 * i, SrowX[i]); F32(b, 296 + 4 * i, SrowY[i]); F32(b, 312 + 4 * i, SrowZ[i]); }
        PutText(b.Slice(328, 16), IntentName);
        "n+1\0"u8.CopyTo(b[344..]);
    }

    private static void F32(Span<byte> b, int at, float v) => BinaryPrimitives.WriteSingleLittleEndian(b[at..], v);
    private static void I16(Span<byte> b, int at, short v) => BinaryPrimitives.WriteInt16LittleEndian(b[at..], v);

    private static string Text(ReadOnlySpan<byte> b)
    {
        int end = b.IndexOf((byte)0);
        return Encoding.Latin1.GetString(end < 0 ? b : b[..end]);
    }

    private static void PutText(Span<byte> b, string s)
    {
        // Latin-1 keeps one byte per character; the last byte stays 0 so readers find the end.
        var bytes = Encoding.Latin1.GetBytes(s);
        bytes.AsSpan(0, Math.Min(bytes.Length, b.Length - 1)).CopyTo(b);
    }

    private readonly ref struct FieldReader(ReadOnlySpan<byte> b, bool big)
    {
        private readonly ReadOnlySpan<byte> _b = b;
        public short I16(int at) => big ? BinaryPrimitives.ReadInt16BigEndian(_b[at..]) : BinaryPrimitives.ReadInt16LittleEndian(_b[at..]);
        public float F32(int at) => big ? BinaryPrimitives.ReadSingleBigEndian(_b[at..]) : BinaryPrimitives.ReadSingleLittleEndian(_b[at..]);

        public short[] I16s(int at, int count)
        {
            var values = new short[count];
            for (int i = 0; i < count; i++) values[i] = I16(at + 2 * i);
            return values;
        }

        public float[] F32s(int at, int count)
        {
            var values = new float[count];
            for (int i = 0; i < count; i++) values[i] = F32(at + 4 * i);
            return values;
        }
    }
}
