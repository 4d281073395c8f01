// Usage: SlideBench SLIDE POSITIONS_FILE
// POSITIONS_FILE: one "x y level w h" per line (level-0 x, y). The first two lines are warm-up reads.
// Prints one JSON line: {"reads": N, "seconds": S, "checksum": C}.
using System.Diagnostics;
using System.Globalization;
using SegBridge.Imaging.Slides;

var lines = File.ReadAllLines(args[1]).Where(l => l.Trim().Length > 0)
    .Select(l => l.Split(' ').Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray()).ToArray();
using var slide = SlideImage.Open(args[0], maxRegionPixels: 64L << 20);
int maxPixels = (int)lines.Max(p => p[3] * p[4]);
var buffer = new byte[maxPixels * 3];
long checksum = 0;
void Read(long[] p)
{
    int w = (int)p[3], h = (int)p[4];
    slide.ReadRegion(p[0], p[1], (int)p[2], w, h, buffer.AsSpan(0, w * h * 3));
    checksum += buffer[(w * h / 2) * 3];
}
foreach (var p in lines.Take(2)) Read(p);
var sw = Stopwatch.StartNew();
foreach (var p in lines.Skip(2)) Read(p);
sw.Stop();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{{\"reads\": {lines.Length - 2}, \"seconds\": {sw.Elapsed.TotalSeconds:0.######}, \"checksum\": {checksum}}}"));
