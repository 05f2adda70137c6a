using DiGA.Core.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Replaces pieces registered by <see cref="DiGAServiceCollectionExtensions.AddDiGA(IServiceCollection, Action{DiGAOptions})"/>.</summary>
public interface IDiGABuilder
{
    /// <summary>Gets the services.</summary>
    IServiceCollection Services { get; }
}

/// <summary>The default <see cref="IDiGABuilder"/>.</summary>
internal sealed record DiGABuilder(IServiceCollection Services) : IDiGABuilder;
