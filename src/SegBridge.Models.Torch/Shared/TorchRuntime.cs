using TorchSharp;
using static TorchSharp.torch;

namespace SegBridge.Models.Torch;

/// <summary>
/// The one place that loads libtorch and picks the device: CUDA when this libtorch was built with it and a GPU
/// is visible, else CPU. Loading is lazy so an engine without learned models never pays for libtorch, and a
/// load failure becomes a reason shown on each learned model instead of a crash.
/// </summary>
public static class TorchRuntime
{
    private static readonly Lazy<(Device? Device, string? Problem)> Loaded = new(Load);
    private static int _threads;

    /// <summary>Intra-op threads for libtorch; 0 keeps libtorch's default (one per core). Set before first use.</summary>
    public static int Threads
    {
        get => _threads;
        set
        {
            if (value < 0) throw new ArgumentOutOfRangeException(nameof(value), value, "threads must be 0 (default) or positive");
            _threads = value;
        }
    }

    /// <summary>
    /// libtorch's intra-op threads for one run, restored when disposed (0 leaves them as they are). Before libtorch
    /// loads this is <see cref="Threads"/>; in a running engine a training run holds the compute slot, so nothing
    /// else computes while it has its own count.
    /// </summary>
    public static IDisposable UseThreads(int threads)
    {
        if (threads == 0) return new RestoreThreads(0);
        if (!Loaded.IsValueCreated) Threads = threads;
        if (Device is null) return new RestoreThreads(0);
        var before = get_num_threads();
        set_num_threads(threads);
        return new RestoreThreads(before);
    }

    private sealed class RestoreThreads(int before) : IDisposable
    {
        public void Dispose()
        {
            if (before > 0) set_num_threads(before);
        }
    }

    /// <summary>The device learned models run on, or null when libtorch cannot load (see <see cref="Problem"/>).</summary>
    public static Device? Device => Loaded.Value.Device;
    public static string? Problem => Loaded.Value.Problem;
    /// <summary>libtorch's intra-op threads now, for records and reports; null while libtorch cannot load.</summary>
    public static int? ThreadsInUse => Device is null ? null : get_num_threads();
    /// <summary>"cuda" or "cpu"; null while libtorch cannot load.</summary>
    public static string? DeviceName => Device is null ? null : Device.type == DeviceType.CUDA ? "cuda" : "cpu";

    private static (Device?, string?) Load()
    {
        try
        {
            if (_threads > 0) torch.set_num_threads(_threads);
            var device = cuda.is_available() ? CUDA : CPU;
            return (device, null);
        }
        catch (Exception e) when (e is NotSupportedException or DllNotFoundException or TypeInitializationException or InvalidOperationException)
        {
            return (null, "libtorch could not be loaded: " + (e.InnerException?.Message ?? e.Message));
        }
    }
}
