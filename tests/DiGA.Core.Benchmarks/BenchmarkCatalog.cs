using System.Reflection;
using BenchmarkDotNet.Attributes;

namespace DiGA.Core.Benchmarks;

/// <summary>The <c>list-ops</c> mode: prints one line per benchmark, <c>&lt;operation&gt; &lt;full method name&gt;</c>, for the run script.</summary>
internal static class BenchmarkCatalog
{
    public static int Print()
    {
        var methods = typeof(BenchmarkCatalog).Assembly.GetTypes()
            .Where(t => t.IsPublic && !t.IsAbstract)
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance).Select(m => (Type: t, Method: m)))
            .Select(x => (x.Type, x.Method, Attribute: x.Method.GetCustomAttribute<BenchmarkAttribute>()))
            .Where(x => x.Attribute is not null);
        foreach (var (type, method, attribute) in methods)
        {
            Console.WriteLine($"{attribute!.Description ?? method.Name} {type.FullName}.{method.Name}");
        }

        return 0;
    }
}
