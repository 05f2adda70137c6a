using System.Collections.Concurrent;
using TorchSharp;

namespace DiGA.Core.Foundation;

/// <summary>
/// The only source of <see cref="Scalar"/>s in DiGA.Core: cached constants and caller-owned run-time values.
/// </summary>
/// <remarks>
/// <para>
/// A <c>TorchSharp.Scalar</c> owns a native <c>c10::Scalar</c> that its finalizer deletes, and TorchSharp's methods read
/// <c>scalar.Handle</c> and then call libtorch without <c>GC.KeepAlive(scalar)</c>. A Scalar that nothing else references (the
/// result of an implicit conversion such as <c>x.fmod(2 * Math.PI)</c>, or the alpha <c>1</c> that <c>x.add(y)</c> creates
/// inside TorchSharp) is therefore collectable during the native call: a GC on another thread can finalize it while libtorch
/// reads it. Rare per call, certain over a training run ("Unknown scalar type" from <c>c10/core/Scalar.h</c>, or a crash);
/// see dotnet/TorchSharp#1496. So the library never converts implicitly and uses only two kinds of Scalar:
/// </para>
/// <list type="bullet">
/// <item><description>
/// <see cref="Of(double)"/> (and its overloads) and <see cref="One"/>: a compile-time constant, created once and cached for the
/// life of the process. The cache is a static root, so the Scalar is never finalized; libtorch only reads it, so one instance
/// serves every thread.
/// </description></item>
/// <item><description>
/// <see cref="Create(double)"/>: a value computed at run time, owned by the caller, who holds it in a <c>using</c> local
/// (<c>using var decay = Scalars.Create(value);</c>). The local keeps it alive until the native call has returned, and
/// <c>Dispose</c> frees it deterministically (no finalizer churn).
/// </description></item>
/// </list>
/// <para>
/// Each overload converts exactly as the implicit conversion from the same .NET type did (libtorch keeps the kind, integral,
/// floating point or bool, and the value), so type promotion and results are unchanged. The architecture test
/// <c>ScalarLifetimeTests</c> rejects any other Scalar, a TorchSharp call that makes one internally (<c>add(Tensor)</c>,
/// <c>square()</c>, <c>tensor * 2.0</c>, …), a non-constant argument to <see cref="Of(double)"/> and a <see cref="Create(double)"/>
/// outside a <c>using</c> local.
/// </para>
/// </remarks>
internal static class Scalars
{
    private static readonly ConcurrentDictionary<(TypeCode Type, long Bits), Scalar> Constants = new();

    /// <summary>Gets the Int32 1: the <c>alpha</c> that TorchSharp's <c>add(Tensor)</c> and <c>add(Scalar)</c> pass for you.</summary>
    public static Scalar One { get; } = Of(1);

    /// <summary>The cached Int32 Scalar of a compile-time constant.</summary>
    /// <param name="value">A constant.</param>
    /// <returns>A Scalar that lives as long as the process; never dispose it.</returns>
    public static Scalar Of(int value) => Constants.GetOrAdd((TypeCode.Int32, value), static (_, v) => v.ToScalar(), value);

    /// <summary>The cached Int64 Scalar of a compile-time constant.</summary>
    /// <param name="value">A constant.</param>
    /// <returns>A Scalar that lives as long as the process; never dispose it.</returns>
    public static Scalar Of(long value) => Constants.GetOrAdd((TypeCode.Int64, value), static (_, v) => v.ToScalar(), value);

    /// <summary>The cached Float32 Scalar of a compile-time constant.</summary>
    /// <param name="value">A constant.</param>
    /// <returns>A Scalar that lives as long as the process; never dispose it.</returns>
    public static Scalar Of(float value) => Constants.GetOrAdd((TypeCode.Single, BitConverter.SingleToInt32Bits(value)), static (_, v) => v.ToScalar(), value);

    /// <summary>The cached Float64 Scalar of a compile-time constant.</summary>
    /// <param name="value">A constant.</param>
    /// <returns>A Scalar that lives as long as the process; never dispose it.</returns>
    public static Scalar Of(double value) => Constants.GetOrAdd((TypeCode.Double, BitConverter.DoubleToInt64Bits(value)), static (_, v) => v.ToScalar(), value);

    /// <summary>The cached Bool Scalar of a compile-time constant.</summary>
    /// <param name="value">A constant.</param>
    /// <returns>A Scalar that lives as long as the process; never dispose it.</returns>
    public static Scalar Of(bool value) => Constants.GetOrAdd((TypeCode.Boolean, value ? 1 : 0), static (_, v) => v.ToScalar(), value);

    /// <summary>A new Float64 Scalar of a run-time value, owned by the caller.</summary>
    /// <param name="value">The value.</param>
    /// <returns>A Scalar to hold in a <c>using</c> local until the calls that read it have returned.</returns>
    public static Scalar Create(double value) => value.ToScalar();

    /// <summary>A new Int32 Scalar of a run-time value, owned by the caller.</summary>
    /// <param name="value">The value.</param>
    /// <returns>A Scalar to hold in a <c>using</c> local until the calls that read it have returned.</returns>
    public static Scalar Create(int value) => value.ToScalar();

    /// <summary>A new Int64 Scalar of a run-time value, owned by the caller.</summary>
    /// <param name="value">The value.</param>
    /// <returns>A Scalar to hold in a <c>using</c> local until the calls that read it have returned.</returns>
    public static Scalar Create(long value) => value.ToScalar();
}
