using DiGA.Core.Data;
using DiGA.Core.Data.Datasets;

namespace DiGA.Sample;

/// <summary>Opens a dataset from a <c>kind:root</c> specification.</summary>
public static class DatasetSpec
{
    /// <summary>Opens the dataset; <paramref name="split"/> selects the Cityscapes, BDD100K or Mapillary split.</summary>
    /// <exception cref="ArgumentException">The specification is malformed or names an unknown kind.</exception>
    public static ISegmentationDataset Open(string spec, string split, string? listFile = null, InvalidSamplePolicy policy = InvalidSamplePolicy.Throw)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(spec);
        var colon = spec.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            throw new ArgumentException($"Dataset '{spec}' must be kind:root with kind gta5, synthia, cityscapes, bdd100k, mapillary or folder.", nameof(spec));
        }

        var kind = spec[..colon].ToLowerInvariant();
        var root = spec[(colon + 1)..];
        string? classMap = null;
        if (kind == "folder")
        {
            var separator = root.LastIndexOf(':');
            if (separator <= 0)
            {
                throw new ArgumentException($"Dataset '{spec}': a folder dataset is folder:root:class-map.json.", nameof(spec));
            }

            classMap = root[(separator + 1)..];
            root = root[..separator];
        }

        var options = new SegmentationDatasetOptions { Root = root, Split = split, ListFile = listFile, InvalidSamplePolicy = policy };
        return kind switch
        {
            "gta5" => new Gta5Dataset(options),
            "synthia" => new SynthiaDataset(options),
            "cityscapes" => new CityscapesDataset(options),
            "bdd100k" => new Bdd100kDataset(options),
            "mapillary" => new MapillaryDataset(options),
            "folder" => new FolderDataset(options, ClassMapFile.Load(classMap!)),
            _ => throw new ArgumentException($"Dataset '{spec}': unknown kind '{kind}'. Use gta5, synthia, cityscapes, bdd100k, mapillary or folder.", nameof(spec)),
        };
    }
}
