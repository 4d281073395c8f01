using System.Collections.Concurrent;
using TorchSharp;

namespace SegBridge.Models.Torch;

/// <summary>
/// Constant TorchSharp Scalars that live for the whole process. A Scalar made on the spot from a number
/// (<c>t * 255f</c>) is reachable only through the native handle once the call has read it, so the garbage
/// collector may finalize it while libtorch still reads it (seen: a crash in <c>c10::Scalar::toFloat</c> in a
/// long evaluation). Constants come from here; a value computed at run time is held in a <c>using</c> instead, and
/// the sums TorchSharp writes with a Scalar of its own go through <see cref="SafeTensorMath"/>.
/// TorchSharp stores every floating-point Scalar as a double and every integer one as a long, so these keys lose nothing.
/// </summary>
public static class Scalars
{
    private static readonly ConcurrentDictionary<double, Scalar> Reals = new();
    private static readonly ConcurrentDictionary<long, Scalar> Integers = new();

    public static Scalar Of(double value) => Reals.GetOrAdd(value, v => v.ToScalar());

    public static Scalar Of(float value) => Of((double)value);

    public static Scalar Of(long value) => Integers.GetOrAdd(value, v => v.ToScalar());

    public static Scalar Of(int value) => Of((long)value);
}

/// <summary>
/// Scalars computed at run time (random draws, per-step factors), held until the method that made them ends:
/// <c>using var held = new HeldScalars();</c> then <c>t * held.Of(x)</c>.
/// </summary>
public sealed class HeldScalars : IDisposable
{
    private readonly List<Scalar> _held = [];

    public Scalar Of(double value)
    {
        var scalar = value.ToScalar();
        _held.Add(scalar);
        return scalar;
    }

    public Scalar Of(long value)
    {
        var scalar = value.ToScalar();
        _held.Add(scalar);
        return scalar;
    }

    public void Dispose()
    {
        foreach (var s in _held) s.Dispose();
        _held.Clear();
    }
}
