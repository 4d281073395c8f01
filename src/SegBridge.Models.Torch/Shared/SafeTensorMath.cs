using static TorchSharp.torch;
using TorchSharp;

namespace SegBridge.Models.Torch;

/// <summary>
/// The sums TorchSharp 0.107 writes with a Scalar it makes inside and drops: <c>a + b</c> and <c>a.add(b)</c> pass
/// <c>alpha: 1</c>, <c>s - t</c> goes through them, <c>square()</c> passes an exponent and <c>arange(n)</c> a step.
/// Nothing holds that Scalar while libtorch reads it, so a garbage collection on another thread may free it mid-call
/// (reproduced: <c>a + b</c> in a loop beside a thread that collects dies within seconds in
/// <c>c10::Scalar::toFloat</c>). These pass the same values as Scalars held for the whole process.
/// <c>ScalarLifetimeTests</c> finds any call left into such a TorchSharp method.
/// </summary>
public static class SafeTensorMath
{
    /// <summary>a + b.</summary>
    public static Tensor Plus(this Tensor a, Tensor b) => a.add(b, Scalars.Of(1));

    /// <summary>a + s.</summary>
    public static Tensor Plus(this Tensor a, Scalar s) => a.add(s, Scalars.Of(1));

    /// <summary>s − t.</summary>
    public static Tensor Minus(this Scalar s, Tensor t) => t.sub(s).neg_();

    /// <summary>t².</summary>
    public static Tensor Squared(this Tensor t) => t.pow(Scalars.Of(2));

    /// <summary>0, 1, …, count − 1.</summary>
    public static Tensor Range(long count, ScalarType dtype) => arange(Scalars.Of(0), Scalars.Of(count), Scalars.Of(1), dtype);
}
