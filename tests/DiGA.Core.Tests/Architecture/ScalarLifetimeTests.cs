using System.Reflection;
using System.Reflection.Emit;
using DiGA.Core.Foundation;
using TorchSharp;

namespace DiGA.Core.Tests.Architecture;

/// <summary>
/// No <see cref="Scalar"/> in DiGA.Core can be finalized while libtorch reads it. A <c>TorchSharp.Scalar</c> owns a native
/// <c>c10::Scalar</c> that its finalizer deletes, and TorchSharp's methods read <c>scalar.Handle</c> and then call native code
/// without <c>GC.KeepAlive</c>: a Scalar nothing else holds (an implicit conversion such as <c>x.fmod(2 * Math.PI)</c>, or the
/// alpha <c>1</c> that <c>x.add(y)</c> creates inside TorchSharp) can be freed mid-call by a GC on another thread
/// ("Unknown scalar type" from <c>c10/core/Scalar.h</c>, or worse). So every Scalar of the library comes from
/// <c>DiGA.Core.Foundation.Scalars</c>: a cached constant (<c>Scalars.Of(literal)</c>, <c>Scalars.One</c>) or a run-time value
/// the caller owns in a <c>using</c> local (<c>Scalars.Create(value)</c>). Checked on the compiled IL of every method
/// (closures, lambdas and state machines included), and, for TorchSharp, of every method the library calls.
/// </summary>
public sealed class ScalarLifetimeTests
{
    private static readonly Assembly Library = typeof(ISegmentationModel).Assembly;

    private static readonly Assembly TorchSharpAssembly = typeof(Scalar).Assembly;

    /// <summary>TorchSharp and TorchVision: the code whose Scalars we cannot fix, only avoid.</summary>
    private static readonly HashSet<Assembly> TorchAssemblies =
        [TorchSharpAssembly, .. Library.GetReferencedAssemblies().Where(a => a.Name == "TorchVision").Select(Assembly.Load)];

    private static readonly Dictionary<MethodBase, string?> CreatesScalarMemo = [];

    /// <summary>The calls that make a Scalar inside TorchSharp and cannot be avoided, each with the reason it is accepted.</summary>
    private static readonly Dictionary<string, string> Accepted = new()
    {
        ["Vgg19FeatureExtractor..ctor → torchvision.models.vgg19"] =
            "TorchVision's VGG constructor initialises the biases with init.constant_(bias, 0): about 19 Scalars once per extractor, at construction, never per step; there is no Scalar-free way to build torchvision's VGG19",
    };

    [Fact]
    public void NoMethod_ConvertsToAScalarOrTensorImplicitly()
    {
        var sites = Sites((_, called) => IsImplicitConversion(called) ? Describe(called) : null);

        string.Join(Environment.NewLine, sites).Should().BeEmpty(
            "an implicitly converted Scalar (or Tensor) is owned by nobody and can be finalized while libtorch reads it; use Scalars.Of(constant), Scalars.One or `using var s = Scalars.Create(value)` ({0} sites)",
            sites.Length);
    }

    [Fact]
    public void NoMethod_CallsATorchSharpMethodThatCreatesAScalar()
    {
        var sites = Sites((caller, called) =>
            TorchAssemblies.Contains(called.Module.Assembly) && !IsImplicitConversion(called) && !Accepted.ContainsKey(Name(caller) + " → " + Name(called)) && CreatesScalar(called) is { } path
                ? $"{Describe(called)} [{path}]"
                : null);

        string.Join(Environment.NewLine, sites).Should().BeEmpty(
            "these TorchSharp methods create a Scalar and drop it before the native call returns (for example add(Tensor) → add(t, 1), square() → pow(2), a * 2.0); call the overload that takes a Scalar from Scalars ({0} sites)",
            sites.Length);
    }

    [Fact]
    public void NoModuleOrOptimizer_CreatesScalarsInItsForwardOrStep()
    {
        var sites = Sites((caller, called) => ConstructedTorchType(caller, called) is { } type && ScalarCreatingEntryPoint(type) is { } entry ? $"{Name(type)} ({entry})" : null);

        string.Join(Environment.NewLine, sites).Should().BeEmpty(
            "these TorchSharp modules and optimisers create Scalars on every forward or step (BatchNorm: num_batches_tracked.add_(1); LeakyReLU: the slope; SGD/AdamW: every alpha); use the Scalar-safe replacements in DiGA.Core.Foundation ({0} sites)",
            sites.Length);
    }

    [Fact]
    public void ScalarsOf_IsOnlyGivenCompileTimeConstants()
    {
        var sites = ScalarsCalls(LibraryBodies(), "Of", IsConstantArgument);

        string.Join(Environment.NewLine, sites).Should().BeEmpty("Scalars.Of caches its Scalar for the life of the process, so a run-time value would grow the cache without bound; use `using var s = Scalars.Create(value)`");
    }

    [Fact]
    public void ScalarsCreate_IsHeldInAUsingLocal()
    {
        var sites = ScalarsCalls(LibraryBodies(), "Create", IsDisposedLocal);

        string.Join(Environment.NewLine, sites).Should().BeEmpty("a run-time Scalar must be stored in a `using` local, which keeps it alive until the native call has returned and then disposes it");
    }

    [Fact]
    public void Guard_SeesTheHazards()
    {
        // The rules above pass on an empty list, so each is checked here on code that has the hazard (TorchSharp's own, and
        // the samples below) and on code that has not.
        var add = typeof(torch.Tensor).GetMethod(nameof(torch.Tensor.add), [typeof(torch.Tensor)])!;
        var addWithAlpha = typeof(torch.Tensor).GetMethod(nameof(torch.Tensor.add), [typeof(torch.Tensor), typeof(Scalar)])!;
        var sgdStep = typeof(TorchSharp.Modules.SGD).GetMethod(nameof(TorchSharp.Modules.SGD.step))!;

        IlReader.Read(add).Select(i => i.Member).OfType<MethodBase>().Should().Contain(m => IsImplicitConversion(m));
        CreatesScalar(add).Should().NotBeNull();
        CreatesScalar(addWithAlpha).Should().BeNull();
        ScalarCreatingEntryPoint(typeof(TorchSharp.Modules.BatchNorm2d)).Should().NotBeNull();
        ScalarCreatingEntryPoint(typeof(TorchSharp.Modules.Conv2d)).Should().BeNull();
        CreatesScalar(sgdStep).Should().NotBeNull();

        ScalarsCalls(Bodies(nameof(Samples.ConstantOf), nameof(Samples.UsingCreate)), "Of", IsConstantArgument).Should().BeEmpty();
        ScalarsCalls(Bodies(nameof(Samples.ConstantOf), nameof(Samples.UsingCreate)), "Create", IsDisposedLocal).Should().BeEmpty();
        ScalarsCalls(Bodies(nameof(Samples.RunTimeOf)), "Of", IsConstantArgument).Should().ContainSingle();
        ScalarsCalls(Bodies(nameof(Samples.ReturnedCreate), nameof(Samples.InlineCreate)), "Create", IsDisposedLocal).Should().HaveCount(2);

        static IEnumerable<(MethodBase, List<IlInstruction>)> Bodies(params string[] names) =>
            names.Select(name => typeof(Samples).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!).Select(m => ((MethodBase)m, IlReader.Read(m).ToList()));
    }

    /// <summary>The calls to <c>Scalars.<paramref name="name"/></c> in <paramref name="bodies"/> for which <paramref name="isAllowed"/> fails.</summary>
    private static List<string> ScalarsCalls(IEnumerable<(MethodBase Method, List<IlInstruction> Instructions)> bodies, string name, Func<List<IlInstruction>, int, bool> isAllowed)
    {
        var sites = new List<string>();
        foreach (var (method, instructions) in bodies)
        {
            for (var i = 0; i < instructions.Count; i++)
            {
                if (instructions[i].Member is MethodInfo called && called.Name == name && called.DeclaringType == typeof(Scalars) && !isAllowed(instructions, i))
                {
                    sites.Add($"{Name(method)} → {Describe(called)}");
                }
            }
        }

        return sites;
    }

    /// <summary>Every site where a library method (outside <c>Scalars</c>) calls a member that <paramref name="hazard"/> describes.</summary>
    private static string[] Sites(Func<MethodBase, MethodBase, string?> hazard) =>
        [.. LibraryBodies()
            .SelectMany(body => body.Instructions.Select(i => i.Member).OfType<MethodBase>().Select(called => hazard(body.Method, called) is { } what ? $"{Name(body.Method)} → {what}" : null))
            .OfType<string>()
            .Order(StringComparer.Ordinal)];

    private static IEnumerable<(MethodBase Method, List<IlInstruction> Instructions)> LibraryBodies() =>
        Library.GetTypes()
            .Where(t => !IsInsideScalars(t))
            .SelectMany(IlReader.DeclaredMethods)
            .Select(m => (m, IlReader.Read(m).ToList()));

    private static bool IsInsideScalars(Type type) =>
        type == typeof(Scalars) || (type.DeclaringType is { } outer && IsInsideScalars(outer));

    /// <summary><c>Scalar</c>'s implicit conversions and <c>Tensor</c>'s (from a number or an array, which outside a dispose scope is as unowned).</summary>
    private static bool IsImplicitConversion(MethodBase method) =>
        method.Name == "op_Implicit" && (method.DeclaringType == typeof(Scalar) || (method.DeclaringType == typeof(torch.Tensor) && method is MethodInfo { ReturnType: var returned } && returned == typeof(torch.Tensor)));

    /// <summary>The calls that make a new Scalar: conversions, <c>ToScalar()</c> on a number or a tensor, the constructor.</summary>
    private static bool MakesAScalar(MethodBase method) =>
        (method.DeclaringType == typeof(Scalar) && (method.Name == "op_Implicit" || method is ConstructorInfo))
        || (method.DeclaringType == typeof(ScalarExtensionMethods) && method is MethodInfo { ReturnType: var returned } && returned == typeof(Scalar))
        || (method.DeclaringType == typeof(torch.Tensor) && method.Name == nameof(torch.Tensor.ToScalar));

    /// <summary>The chain of TorchSharp calls from <paramref name="method"/> to one that makes a Scalar, or <see langword="null"/>.</summary>
    private static string? CreatesScalar(MethodBase method) => CreatesScalar(method, []);

    private static string? CreatesScalar(MethodBase method, HashSet<MethodBase> visiting)
    {
        if (MakesAScalar(method))
        {
            return Describe(method);
        }

        if (!TorchAssemblies.Contains(method.Module.Assembly))
        {
            return null;
        }

        if (method is MethodInfo { IsGenericMethod: true, IsGenericMethodDefinition: false } generic)
        {
            method = generic.GetGenericMethodDefinition();
        }

        lock (CreatesScalarMemo)
        {
            if (CreatesScalarMemo.TryGetValue(method, out var known))
            {
                return known;
            }
        }

        if (!visiting.Add(method))
        {
            return null;
        }

        string? path = null;
        foreach (var called in IlReader.Read(method).Select(i => i.Member).OfType<MethodBase>().Distinct())
        {
            if (CreatesScalar(called, visiting) is { } rest)
            {
                path = MakesAScalar(called) ? rest : $"{Describe(called)} → {rest}";
                break;
            }
        }

        visiting.Remove(method);
        lock (CreatesScalarMemo)
        {
            CreatesScalarMemo[method] = path;
        }

        return path;
    }

    /// <summary>The TorchSharp module or optimiser type that a call makes: a constructor, a factory such as <c>nn.BatchNorm2d(…)</c>, or the base constructor of a library subclass (then the subclass).</summary>
    private static Type? ConstructedTorchType(MethodBase caller, MethodBase called)
    {
        if (!TorchAssemblies.Contains(called.Module.Assembly))
        {
            return null;
        }

        var type = called switch
        {
            ConstructorInfo when caller is ConstructorInfo && caller.DeclaringType!.IsSubclassOf(called.DeclaringType!) => caller.DeclaringType,
            ConstructorInfo => called.DeclaringType,
            MethodInfo { ReturnType: var returned } => returned,
            _ => null,
        };
        return type is { IsClass: true } && (type.IsSubclassOf(typeof(torch.nn.Module)) || type.IsSubclassOf(typeof(torch.optim.Optimizer))) ? type : null;
    }

    /// <summary>The <c>forward</c> or <c>step</c> of <paramref name="type"/> (as overridden last) that TorchSharp implements and that makes a Scalar.</summary>
    private static string? ScalarCreatingEntryPoint(Type type) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.Name is "forward" or "step" && TorchAssemblies.Contains(m.DeclaringType!.Assembly))
            .Select(m => CreatesScalar(m) is { } path ? $"{Describe(m)} → {path}" : null)
            .FirstOrDefault(p => p is not null);

    /// <summary>Whether the argument of the call at <paramref name="index"/> is an IL constant (<c>ldc.*</c>, possibly widened).</summary>
    private static bool IsConstantArgument(List<IlInstruction> instructions, int index)
    {
        var argument = index - 1;
        if (argument > 0 && instructions[argument].OpCode == OpCodes.Conv_I8)
        {
            argument--;
        }

        return argument >= 0 && instructions[argument].IsConstant;
    }

    /// <summary>Whether the result of the call at <paramref name="index"/> goes straight into a local that the method disposes.</summary>
    private static bool IsDisposedLocal(List<IlInstruction> instructions, int index)
    {
        if (index + 1 >= instructions.Count || instructions[index + 1].StoredLocal is not { } local)
        {
            return false;
        }

        return instructions.Zip(instructions.Skip(1)).Any(pair =>
            pair.First.LoadedLocal == local && pair.Second.Member is MethodInfo { Name: nameof(IDisposable.Dispose) });
    }

    private static string Describe(MethodBase method) =>
        $"{Name(method.DeclaringType!)}.{method.Name}({string.Join(", ", method.GetParameters().Select(p => Name(p.ParameterType)))})";

    private static string Name(MethodBase method) => $"{Name(method.DeclaringType!)}.{method.Name}";

    private static string Name(Type type) =>
        type.IsGenericType ? $"{type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]}<{string.Join(", ", type.GetGenericArguments().Select(Name))}>"
        : type.DeclaringType is { } outer && !type.IsGenericParameter ? $"{Name(outer)}.{type.Name}"
        : type.Name;

    /// <summary>Uses of <c>Scalars</c> that the rules must accept and reject (compiled like the library, in Release).</summary>
    private static class Samples
    {
        internal static torch.Tensor ConstantOf(torch.Tensor x) => x.mul(Scalars.Of(2.0)).add(Scalars.Of(1L), Scalars.One);

        internal static torch.Tensor UsingCreate(torch.Tensor x, double value)
        {
            using var scalar = Scalars.Create(value);
            return x.mul(scalar);
        }

        internal static torch.Tensor RunTimeOf(torch.Tensor x, double value) => x.mul(Scalars.Of(value));

        internal static Scalar ReturnedCreate(double value) => Scalars.Create(value);

        internal static torch.Tensor InlineCreate(torch.Tensor x, double value) => x.mul(Scalars.Create(value));
    }
}
