using System.Globalization;
using BitMiracle.LibTiff.Classic;

namespace SegBridge.Imaging.Codecs;

/// <summary>
/// LibTiff reports problems through a process-wide handler that by default writes to the
/// console. We install one that remembers the last error of the current thread instead, so the
/// reader can put the real cause into its ImageDecodeException and stdout stays clean
/// (stdout may be an RPC channel). Warnings (unknown tags and the like) are ignored.
/// </summary>
internal sealed class TiffErrorCapture : TiffErrorHandler
{
    [ThreadStatic] private static string? lastError;
    private static readonly object InstallLock = new();
    private static bool installed;

    public static void EnsureInstalled()
    {
        lock (InstallLock)
        {
            if (installed) return;
            Tiff.SetErrorHandler(new TiffErrorCapture());
            installed = true;
        }
    }

    public static void Clear() => lastError = null;

    public static string? LastError => lastError;

    public override void ErrorHandler(Tiff tif, string method, string format, params object[] args)
        => lastError = Format(method, format, args);

    public override void ErrorHandlerExt(Tiff tif, object clientData, string method, string format, params object[] args)
        => lastError = Format(method, format, args);

    public override void WarningHandler(Tiff tif, string method, string format, params object[] args) { }

    public override void WarningHandlerExt(Tiff tif, object clientData, string method, string format, params object[] args) { }

    private static string Format(string method, string format, object[] args)
    {
        string text;
        try { text = string.Format(CultureInfo.InvariantCulture, format, args); }
        catch (FormatException) { text = format; }
        return string.IsNullOrEmpty(method) ? text : $"{method}: {text}";
    }
}
