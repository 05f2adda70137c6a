using DiGA.Core.Data.Synthetic;
using DiGA.Core.Hosting;
using DiGA.Core.Kernels.Distillation;
using DiGA.Core.Kernels.Mixing;
using DiGA.Core.Training.Pipeline;
using DiGA.Core.Translation;
using Microsoft.Extensions.DependencyInjection;

namespace DiGA.Core.IntegrationTests;

/// <summary>A tiny synthetic configuration: 32×64 images, a few images and iterations per stage.</summary>
internal static class TinyRun
{
    public static SyntheticBenchmarkOptions Benchmark(int seed = 0) => new()
    {
        Seed = seed,
        Height = 32,
        Width = 64,
        SourceCount = 12,
        TargetTrainCount = 12,
        TargetValCount = 4,
    };

    public static DiGAOptions Options(string workDirectory, int iterations = 4)
    {
        var options = DiGAPresets.SyntheticDemo();
        options.Pipeline.WorkDirectory = workDirectory;
        options.Pipeline.Data.Workers = 1;
        options.Pipeline.Data.InferenceBatchSize = 4;
        foreach (var stage in new[] { options.Pipeline.Supervised, options.Pipeline.WarmUp.Stage, options.Pipeline.DomainGeneralization.Stage, options.Pipeline.SelfTraining.Stage })
        {
            stage.Iterations = iterations;
            stage.BatchSize = 4;
            stage.LogInterval = 1;
            stage.CheckpointInterval = 2;
        }

        return options;
    }

    public static ISegmentationModel Model(DiGAOptions options) => new ConfiguredModelFactory(Microsoft.Extensions.Options.Options.Create(options)).Create();

    public static DiGAPipeline Pipeline(DiGAOptions options, ISymmetricDistiller? distiller = null) => new DiGAPipelineBuilder()
        .WithOptions(options.Pipeline)
        .WithSeed(options.Seed)
        .UseDistiller(distiller ?? new SymmetricDistiller(options.Distillation))
        .UseMixer(new ClassMixMixer(options.Mixing))
        .UseTranslators(new DomainTranslatorFactory(options.Translator))
        .Build();

    public static DirectoryInfo TemporaryDirectory() => Directory.CreateTempSubdirectory("diga-it-");
}
