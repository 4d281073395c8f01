using System.Buffers.Binary;
using System.IO.Compression;
using SegBridge.Imaging.Codecs;

namespace SegBridge.Imaging.Volumes;

/// <summary>
/// Reads single-file NIfTI-1 volumes (.nii, and .nii.gz through GZipStream), either byte order. Every
/// malformed input is a <see cref="NiftiException"/> naming the field; a well-formed volume over the limits
/// is an <see cref="ImageTooLargeException"/>. Both are thrown before the voxel array is allocated, and the
/// voxels are read chunk by chunk straight into their typed array (no second copy of the data).
/// </summary>
public static class NiftiReader
{
    private const int ChunkVoxels = 1 << 22;

    /// <summary>File names that mean NIfTI (or its ANALYZE-style .hdr/.img pair, refused with a clear message).</summary>
    public static bool IsNiftiPath(string path)
    {
        var p = path.ToLowerInvariant();
        if (p.EndsWith(".gz", StringComparison.Ordinal)) p = p[..^3];
        return p.EndsWith(".nii", StringComparison.Ordinal) || p.EndsWith(".hdr", StringComparison.Ordinal) || p.EndsWith(".img", StringComparison.Ordinal);
    }

    /// <summary>Whether bytes (plain, or gzip-compressed) start with a NIfTI-1 header: sizeof_hdr 348 and magic n+1 or ni1.</summary>
    public static bool LooksLikeNifti(ReadOnlySpan<byte> head)
    {
        if (head.Length < NiftiHeader.Size) return false;
        int le = BinaryPrimitives.ReadInt32LittleEndian(head), be = BinaryPrimitives.ReadInt32BigEndian(head);
        var magic = head.Slice(344, 4);
        return (le == NiftiHeader.Size || be == NiftiHeader.Size) && (magic.SequenceEqual("n+1\0"u8) || magic.SequenceEqual("ni1\0"u8));
    }

    /// <summary>
    /// Whether bytes — plain, or the start of a gzip stream (64 KiB is ample for a compressed header) — begin
    /// with a NIfTI-1 header. Never throws on bad data: it only decides which reader gets to complain.
    /// </summary>
    public static bool LooksLikeNifti(byte[] bytes, int count)
    {
        if (count < 2 || bytes[0] != 0x1F || bytes[1] != 0x8B) return LooksLikeNifti(bytes.AsSpan(0, count));
        try
        {
            using var gz = new GZipStream(new MemoryStream(bytes, 0, count, writable: false), CompressionMode.Decompress);
            var head = new byte[NiftiHeader.Size];
            return LooksLikeNifti(head.AsSpan(0, gz.ReadAtLeast(head, head.Length, throwOnEndOfStream: false)));
        }
        catch (InvalidDataException) { return false; }
    }

    /// <summary>Sniffs a file's first bytes (see <see cref="LooksLikeNifti(byte[], int)"/>); unreadable files are not NIfTI.</summary>
    public static bool FileLooksLikeNifti(string path)
    {
        var head = new byte[1 << 16];
        try
        {
            using var f = File.OpenRead(path);
            return LooksLikeNifti(head, f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    public static Volume ReadFile(string path, long maxVoxels, long maxSlicePixels)
    {
        RefuseHalfOfPair(path);
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            return Read(file, maxVoxels, maxSlicePixels);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageDecodeException($"cannot read NIfTI file '{path}': {e.Message}", e);
        }
    }

    /// <summary>Refuses an ANALYZE-style .hdr/.img name: that format is two files, and only single-file NIfTI is read.</summary>
    public static void RefuseHalfOfPair(string path)
    {
        var lower = path.ToLowerInvariant();
        if (lower.EndsWith(".hdr") || lower.EndsWith(".img") || lower.EndsWith(".hdr.gz") || lower.EndsWith(".img.gz"))
            throw new NiftiException("path", $"'{Path.GetFileName(path)}' is half of a .hdr/.img pair; only single-file NIfTI (.nii, .nii.gz) is supported — convert it, e.g. nibabel.save(nibabel.load('x.hdr'), 'x.nii.gz')", ".nii or .nii.gz");
    }

    public static Volume Read(byte[] bytes, long maxVoxels, long maxSlicePixels)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        return Read(stream, maxVoxels, maxSlicePixels);
    }

    /// <summary>Reads from a seekable stream (a file or bytes): its length and gzip trailer tell a truncated file from a too-large one.</summary>
    public static Volume Read(Stream stream, long maxVoxels, long maxSlicePixels)
    {
        var magic = new byte[2];
        int got = stream.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        stream.Position = 0;
        if (got == 2 && magic[0] == 0x1F && magic[1] == 0x8B)
        {
            uint? isize = null;
            if (stream.Length >= 18)
            {
                // The gzip trailer's ISIZE: the uncompressed length mod 2³² (of the last member only).
                stream.Position = stream.Length - 4;
                var tail = new byte[4];
                stream.ReadExactly(tail);
                isize = BinaryPrimitives.ReadUInt32LittleEndian(tail);
                stream.Position = 0;
            }
            using var gz = new GZipStream(stream, CompressionMode.Decompress, leaveOpen: true);
            return ReadDecoded(gz, null, isize, maxVoxels, maxSlicePixels, "gzip stream");
        }
        return ReadDecoded(stream, stream.Length, null, maxVoxels, maxSlicePixels, "file");
    }

    private static Volume ReadDecoded(Stream s, long? length, uint? gzipSize, long maxVoxels, long maxSlicePixels, string what)
    {
        var headBytes = new byte[NiftiHeader.Size];
        int n = Fill(s, headBytes, what);
        var header = NiftiHeader.Parse(headBytes.AsSpan(0, n));
        var layout = NiftiLayout.Check(header);
        long end = layout.DataOffset + layout.DataBytes;
        if (length is { } len && end > len)
            throw Truncated(layout, $"the file has {len} bytes, but vox_offset {layout.DataOffset} + {layout.VoxelCount} voxels × {NiftiDataTypes.Bytes(layout.Type)} bytes needs {end}");
        if (!layout.WithinLimits(maxVoxels, maxSlicePixels))
        {
            // A hostile or cut-off .nii.gz can declare absurd dims: when its trailer says the data is too short, it is
            // a broken file (unreadable), not a big one. The trailer can only prove "too short" (and only below 4 GiB).
            if (gzipSize is { } size && end < (1L << 32) && size < end)
                throw Truncated(layout, $"the gzip trailer says it holds {size} bytes, but vox_offset {layout.DataOffset} + {layout.VoxelCount} voxels × {NiftiDataTypes.Bytes(layout.Type)} bytes needs {end}");
            throw layout.TooLarge(maxVoxels, maxSlicePixels);
        }
        Skip(s, layout.DataOffset - NiftiHeader.Size, what);

        var voxels = VoxelBuffer.Allocate(layout.Type, (int)layout.VoxelCount);
        for (int start = 0; start < voxels.Length; start += ChunkVoxels)
        {
            int count = Math.Min(ChunkVoxels, voxels.Length - start);
            var chunk = voxels.Bytes(start, count);
            int read = Fill(s, chunk, what);
            if (read < chunk.Length)
                throw Truncated(layout, $"the {what} ends {(long)start * voxels.BytesPerVoxel + read} bytes into the voxel data, which needs {layout.DataBytes}");
            if (header.BigEndian) voxels.SwapBytes(start, count);
        }
        return new Volume(header, voxels);
    }

    private static NiftiException Truncated(NiftiLayout l, string detail)
        => new("data", $"{detail}: the file is truncated, or dim/datatype are wrong ({l.Width}x{l.Height}x{l.Depth} {NiftiDataTypes.Name(l.Type)})");

    /// <summary>Reads until the buffer is full or the data ends; a corrupt gzip stream becomes a NiftiException.</summary>
    private static int Fill(Stream s, Span<byte> buffer, string what)
    {
        try { return s.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false); }
        catch (InvalidDataException e) { throw new NiftiException("gzip", $"the {what} is corrupt ({e.Message})", "a valid gzip stream", e); }
    }

    private static void Skip(Stream s, long count, string what)
    {
        if (count <= 0) return;
        if (s.CanSeek) { s.Seek(count, SeekOrigin.Current); return; }
        var scratch = new byte[(int)Math.Min(count, 1 << 16)];
        while (count > 0)
        {
            int want = (int)Math.Min(count, scratch.Length);
            if (Fill(s, scratch.AsSpan(0, want), what) < want)
                throw new NiftiException("vox_offset", $"the {what} ends before the voxel data starts", "an offset inside the file");
            count -= want;
        }
    }
}
