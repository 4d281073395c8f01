using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;

namespace SegBridge.Imaging.Slides;

/// <summary>
/// An <c>openslide_t*</c>. Closed exactly once by <see cref="SafeHandle"/>'s reference counting: every
/// P/Invoke that takes the handle adds a reference for the duration of the call, so <c>Dispose</c> while
/// reads are in flight on other threads defers <c>openslide_close</c> until the last read returns, and a
/// call after <c>Dispose</c> throws <see cref="ObjectDisposedException"/> instead of touching freed memory.
/// </summary>
public sealed class OpenSlideHandle : SafeHandle
{
    public OpenSlideHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        OpenSlideNative.openslide_close(handle);
        return true;
    }
}

/// <summary>
/// The thin P/Invoke layer over OpenSlide 3.4.1's C API (<c>libopenslide.so.0</c>, Debian package
/// <c>libopenslide0</c>). Signatures follow <c>openslide.h</c>; strings returned by OpenSlide are owned by
/// the handle and are copied out with <see cref="Marshal.PtrToStringUTF8(IntPtr)"/>, never freed here.
/// Use <see cref="SlideImage"/>; this class is public only so tests can compare against the raw calls.
/// </summary>
public static partial class OpenSlideNative
{
    public const string Library = "libopenslide.so.0";

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial OpenSlideHandle openslide_open(string filename);

    /// <summary>Raw close; only <see cref="OpenSlideHandle.ReleaseHandle"/> calls it.</summary>
    [LibraryImport(Library)]
    internal static partial void openslide_close(IntPtr osr);

    /// <summary>Vendor name, or NULL (IntPtr.Zero) when OpenSlide does not recognise the file.</summary>
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr openslide_detect_vendor(string filename);

    [LibraryImport(Library)]
    public static partial int openslide_get_level_count(OpenSlideHandle osr);

    [LibraryImport(Library)]
    public static partial void openslide_get_level_dimensions(OpenSlideHandle osr, int level, out long w, out long h);

    [LibraryImport(Library)]
    public static partial double openslide_get_level_downsample(OpenSlideHandle osr, int level);

    [LibraryImport(Library)]
    public static partial int openslide_get_best_level_for_downsample(OpenSlideHandle osr, double downsample);

    /// <summary>Pre-multiplied ARGB, one native-endian uint32 per pixel, w*h of them into <paramref name="dest"/>.</summary>
    [LibraryImport(Library)]
    public static unsafe partial void openslide_read_region(OpenSlideHandle osr, uint* dest, long x, long y, int level, long w, long h);

    /// <summary>NULL-terminated array of NUL-terminated UTF-8 strings, owned by the handle.</summary>
    [LibraryImport(Library)]
    public static partial IntPtr openslide_get_property_names(OpenSlideHandle osr);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr openslide_get_property_value(OpenSlideHandle osr, string name);

    [LibraryImport(Library)]
    public static partial IntPtr openslide_get_associated_image_names(OpenSlideHandle osr);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial void openslide_get_associated_image_dimensions(OpenSlideHandle osr, string name, out long w, out long h);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static unsafe partial void openslide_read_associated_image(OpenSlideHandle osr, string name, uint* dest);

    /// <summary>The handle's sticky error string, or NULL. Once set, every later read on the handle fails.</summary>
    [LibraryImport(Library)]
    public static partial IntPtr openslide_get_error(OpenSlideHandle osr);

    [LibraryImport(Library)]
    public static partial IntPtr openslide_get_version();

    /// <summary>Copies a NULL-terminated <c>const char * const *</c> into managed strings.</summary>
    internal static string[] ReadStringArray(IntPtr array)
    {
        var result = new List<string>();
        if (array == IntPtr.Zero) return [];
        for (int i = 0; ; i++)
        {
            var p = Marshal.ReadIntPtr(array, i * IntPtr.Size);
            if (p == IntPtr.Zero) break;
            result.Add(Marshal.PtrToStringUTF8(p) ?? "");
        }
        return result.ToArray();
    }
}
