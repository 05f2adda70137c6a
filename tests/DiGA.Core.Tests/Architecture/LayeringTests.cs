using System.Reflection;
using Microsoft.Extensions.DependencyInjection;

namespace DiGA.Core.Tests.Architecture;

/// <summary>
/// The namespaces of DiGA.Core form layers — abstractions → foundation → kernels → data and models → translation →
/// training → hosting — and no namespace uses one above it. Checked on the compiled assembly: every type's base types,
/// interfaces, fields, properties, method signatures and the members its method bodies (closures included) touch.
/// </summary>
public sealed class LayeringTests
{
    /// <summary>The layer of each namespace; a namespace may use its own layer's namespaces and those below, never above.</summary>
    internal static readonly IReadOnlyList<(string Namespace, int Layer)> Layers =
    [
        ("DiGA.Core", 0),
        ("DiGA.Core.Foundation", 1),
        ("DiGA.Core.Labels", 1),
        ("DiGA.Core.Kernels", 2),
        ("DiGA.Core.Data", 3),
        ("DiGA.Core.Data.Imaging", 4),
        ("DiGA.Core.Data.Datasets", 5),
        ("DiGA.Core.Data.Transforms", 5),
        ("DiGA.Core.Data.Synthetic", 5),
        ("DiGA.Core.Models", 5),
        ("DiGA.Core.Translation", 6),
        ("DiGA.Core.Training", 7),
        ("DiGA.Core.Hosting", 8),
        ("Microsoft.Extensions.DependencyInjection", 8),
    ];

    private static readonly Assembly Library = typeof(ISegmentationModel).Assembly;

    [Fact]
    public void EveryNamespace_HasALayer()
    {
        var unassigned = Library.GetTypes().Select(t => t.Namespace ?? "").Distinct().Where(n => LayerOf(n) is null && !IsGenerated(n)).ToArray();

        unassigned.Should().BeEmpty("every namespace of the library belongs to a layer");
    }

    [Fact]
    public void NoNamespace_UsesANamespaceAboveIt()
    {
        var violations = Dependencies()
            .Where(d => LayerOf(d.To) > LayerOf(d.From))
            .Select(d => $"{d.From} → {d.To} ({d.Via})")
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToArray();

        string.Join(Environment.NewLine, violations).Should().BeEmpty();
    }

    [Fact]
    public void Namespaces_HaveNoCycles()
    {
        var edges = Dependencies().Where(d => d.From != d.To).Select(d => (d.From, d.To)).Distinct().ToArray();
        var cycles = new List<string>();
        foreach (var (from, to) in edges)
        {
            if (Reaches(to, from, edges, [from]) is { } path)
            {
                cycles.Add(string.Join(" → ", path.Prepend(from)));
            }
        }

        string.Join(Environment.NewLine, cycles.Distinct()).Should().BeEmpty();
    }

    [Fact]
    public void DependencyInjectionNamespace_HoldsOnlyTheRegistrationEntryPoints()
    {
        Library.GetExportedTypes().Where(t => t.Namespace == typeof(DiGAServiceCollectionExtensions).Namespace).Select(t => t.Name)
            .Should().BeEquivalentTo(["DiGAServiceCollectionExtensions", "DiGABuilderExtensions", "IDiGABuilder"]);
    }

    private static List<string>? Reaches(string from, string target, (string From, string To)[] edges, HashSet<string> seen)
    {
        foreach (var (_, next) in edges.Where(e => e.From == from))
        {
            if (next == target)
            {
                return [from, target];
            }

            if (seen.Add(next) && Reaches(next, target, edges, seen) is { } rest)
            {
                return [from, .. rest];
            }
        }

        return null;
    }

    private static int? LayerOf(string ns) =>
        Layers.Where(l => ns == l.Namespace || ns.StartsWith(l.Namespace + ".", StringComparison.Ordinal))
            .OrderByDescending(l => l.Namespace.Length)
            .Select(l => (int?)l.Layer)
            .FirstOrDefault();

    // Compiler- and source-generated types live in the global namespace, System.*, Microsoft.CodeAnalysis or __*.
    private static bool IsGenerated(string ns) =>
        ns.Length == 0 || ns.StartsWith("System", StringComparison.Ordinal) || ns.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal) || ns.StartsWith("__", StringComparison.Ordinal);

    private static IEnumerable<(string From, string To, string Via)> Dependencies()
    {
        foreach (var type in Library.GetTypes())
        {
            var from = type.Namespace ?? "";
            if (IsGenerated(from))
            {
                continue;
            }

            foreach (var used in UsedTypes(type).SelectMany(Flatten).Where(t => t.Assembly == Library))
            {
                var to = used.Namespace ?? "";
                if (!IsGenerated(to))
                {
                    yield return (from, to, $"{Name(type)} uses {Name(used)}");
                }
            }
        }
    }

    private static string Name(Type type) => type.DeclaringType is { } outer ? Name(outer) : type.Name;

    private static IEnumerable<Type> Flatten(Type type)
    {
        if (type.HasElementType)
        {
            foreach (var element in Flatten(type.GetElementType()!))
            {
                yield return element;
            }

            yield break;
        }

        if (type.IsGenericParameter)
        {
            yield break;
        }

        yield return type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        if (type.IsGenericType)
        {
            foreach (var argument in type.GetGenericArguments().SelectMany(Flatten))
            {
                yield return argument;
            }
        }
    }

    private static IEnumerable<Type> UsedTypes(Type type)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        if (type.BaseType is { } baseType)
        {
            yield return baseType;
        }

        foreach (var contract in type.GetInterfaces())
        {
            yield return contract;
        }

        foreach (var field in type.GetFields(all))
        {
            yield return field.FieldType;
        }

        foreach (var property in type.GetProperties(all))
        {
            yield return property.PropertyType;
        }

        foreach (var method in IlReader.DeclaredMethods(type))
        {
            if (method is MethodInfo info)
            {
                yield return info.ReturnType;
            }

            foreach (var parameter in method.GetParameters())
            {
                yield return parameter.ParameterType;
            }

            foreach (var used in BodyTypes(method))
            {
                yield return used;
            }
        }
    }

    private static IEnumerable<Type> BodyTypes(MethodBase method)
    {
        foreach (var instruction in IlReader.Read(method))
        {
            switch (instruction.Member)
            {
                case Type resolved:
                    yield return resolved;
                    break;
                case FieldInfo field:
                    yield return field.DeclaringType!;
                    yield return field.FieldType;
                    break;
                case MethodBase called:
                    yield return called.DeclaringType!;
                    if (called is MethodInfo { IsGenericMethod: true } genericCall)
                    {
                        foreach (var argument in genericCall.GetGenericArguments())
                        {
                            yield return argument;
                        }
                    }

                    break;
            }
        }
    }
}
