using SegBridge.Engine.Inference;

namespace SegBridge.Host.Commands;

/// <summary>
/// Tile progress on stderr: on a terminal one line redrawn in place with \r; redirected (a log, a CI job),
/// a plain line at every tenth of the work, so the file does not fill with carriage-return frames.
/// </summary>
internal sealed class TileProgressBar(TextWriter writer, bool interactive, string label) : IProgress<TileProgress>
{
    private const int Width = 30;
    private readonly object _gate = new();
    private int _lastLength, _lastTenth = -1;

    public TileProgress Last { get; private set; }

    public void Report(TileProgress p)
    {
        lock (_gate)
        {
            Last = p;
            int filled = p.Total == 0 ? Width : (int)Math.Round(Width * (double)p.Done / p.Total);
            var line = $"[{new string('#', filled)}{new string('.', Width - filled)}] {p.Done}/{p.Total} tiles {label}";
            if (interactive)
            {
                writer.Write("\r" + line.PadRight(_lastLength));
                _lastLength = line.Length;
                return;
            }
            int tenth = p.Total == 0 ? 10 : 10 * p.Done / p.Total;
            if (tenth == _lastTenth) return;
            _lastTenth = tenth;
            writer.WriteLine("segbridge: " + line);
        }
    }

    /// <summary>Ends the redrawn line so later messages start on their own.</summary>
    public void Finish()
    {
        lock (_gate) { if (interactive && _lastLength > 0) { writer.WriteLine(); _lastLength = 0; } }
    }
}
