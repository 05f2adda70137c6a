using DiGA.Core.Data.Datasets;

namespace DiGA.Core.Labels;

/// <summary>
/// A set of training classes (names and colours) and the lookup that turns the raw values stored in a dataset's label
/// files into train ids <c>0 … ClassCount−1</c>, with <see cref="IgnoreIndex"/> (255) for everything ignored.
/// </summary>
/// <remarks>
/// The lookup has 256 entries for 8-bit label files and 65 536 for 16-bit ones (SYNTHIA). A <em>lenient</em> space maps
/// every value it does not list to 255 (the reference rule for Cityscapes, GTA5, SYNTHIA, BDD100K and Mapillary); a
/// <em>strict</em> space (custom class maps by default) rejects such values, and readers then throw an
/// error naming the file and the value. Custom spaces come from class-map files (<c>ClassMapFile</c>). Instances are immutable and thread-safe.
/// </remarks>
public sealed class LabelSpace
{
    /// <summary>The train id of ignored pixels.</summary>
    public const byte IgnoreIndex = 255;

    private static readonly string[] Cityscapes19Names =
    [
        "road", "sidewalk", "building", "wall", "fence", "pole", "traffic light", "traffic sign", "vegetation", "terrain",
        "sky", "person", "rider", "car", "truck", "bus", "train", "motorcycle", "bicycle",
    ];

    private static readonly LabelColor[] Cityscapes19Colors =
    [
        new(128, 64, 128), new(244, 35, 232), new(70, 70, 70), new(102, 102, 156), new(190, 153, 153), new(153, 153, 153),
        new(250, 170, 30), new(220, 220, 0), new(107, 142, 35), new(152, 251, 152), new(70, 130, 180), new(220, 20, 60),
        new(255, 0, 0), new(0, 0, 142), new(0, 0, 70), new(0, 60, 100), new(0, 80, 100), new(0, 0, 230), new(119, 11, 32),
    ];

    private static readonly int[] CityscapesLabelIds = [7, 8, 11, 12, 13, 17, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 31, 32, 33];

    // The 16 classes of the SYNTHIA setting, as indices into the 19 Cityscapes classes.
    private static readonly int[] Sixteen = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 15, 17, 18];

    private readonly byte[] _lookup;
    private readonly bool[] _known;
    private readonly int[] _rawIdOfClass;
    private readonly int _rawIdOfIgnore;

    /// <summary>Initialises a label space.</summary>
    /// <param name="name">A short name (e.g. <c>cityscapes-19</c>).</param>
    /// <param name="classNames">The class names, indexed by train id (at most 255 classes).</param>
    /// <param name="colors">One colour per class.</param>
    /// <param name="rawToTrainId">Raw label values and the train id each maps to (use 255 to ignore a value explicitly).</param>
    /// <param name="lookupSize">256 for 8-bit label files, 65 536 for 16-bit ones.</param>
    /// <param name="isStrict">Whether raw values absent from <paramref name="rawToTrainId"/> are an error (else they map to 255).</param>
    /// <exception cref="ArgumentException">The classes, colours or mapping are inconsistent.</exception>
    public LabelSpace(string name, IReadOnlyList<string> classNames, IReadOnlyList<LabelColor> colors, IReadOnlyDictionary<int, int> rawToTrainId, int lookupSize = 256, bool isStrict = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(classNames);
        ArgumentNullException.ThrowIfNull(colors);
        ArgumentNullException.ThrowIfNull(rawToTrainId);
        if (classNames.Count is 0 or > 255)
        {
            throw new ArgumentException($"Label space '{name}' needs 1 to 255 classes, got {classNames.Count}.", nameof(classNames));
        }

        if (colors.Count != classNames.Count)
        {
            throw new ArgumentException($"Label space '{name}' has {classNames.Count} classes but {colors.Count} colours.", nameof(colors));
        }

        if (lookupSize is not (256 or 65536))
        {
            throw new ArgumentOutOfRangeException(nameof(lookupSize), lookupSize, "The lookup size must be 256 (8-bit labels) or 65536 (16-bit labels).");
        }

        _lookup = new byte[lookupSize];
        _known = new bool[lookupSize];
        Array.Fill(_lookup, IgnoreIndex);
        foreach (var (raw, trainId) in rawToTrainId)
        {
            if (raw < 0 || raw >= lookupSize)
            {
                throw new ArgumentException($"Label space '{name}': raw value {raw} is outside [0, {lookupSize}).", nameof(rawToTrainId));
            }

            if (trainId != IgnoreIndex && (trainId < 0 || trainId >= classNames.Count))
            {
                throw new ArgumentException($"Label space '{name}': raw value {raw} maps to {trainId}, which is neither a class in [0, {classNames.Count}) nor 255.", nameof(rawToTrainId));
            }

            _lookup[raw] = (byte)trainId;
            _known[raw] = true;
        }

        _rawIdOfClass = new int[classNames.Count];
        Array.Fill(_rawIdOfClass, -1);
        _rawIdOfIgnore = -1;
        for (var raw = 0; raw < lookupSize; raw++)
        {
            var trainId = _lookup[raw];
            if (trainId == IgnoreIndex)
            {
                if (_rawIdOfIgnore < 0 && (_known[raw] || !isStrict))
                {
                    _rawIdOfIgnore = raw;
                }
            }
            else if (_rawIdOfClass[trainId] < 0)
            {
                _rawIdOfClass[trainId] = raw;
            }
        }

        Name = name;
        ClassNames = [.. classNames];
        Colors = [.. colors];
        IsStrict = isStrict;
    }

    /// <summary>Gets Cityscapes with 19 classes: labelIds (also GTA5's label values) → trainIds, every other id → 255.</summary>
    public static LabelSpace Cityscapes19 { get; } = CreateCityscapes19();

    /// <summary>Gets Cityscapes with the 16 classes of the SYNTHIA setting (terrain, truck and train → 255), read from labelIds.</summary>
    public static LabelSpace Cityscapes16 { get; } = CreateCityscapes16();

    /// <summary>Gets SYNTHIA (RAND_CITYSCAPES) ids → the 16 classes of <see cref="Cityscapes16"/>; 16-bit lookup, other ids → 255.</summary>
    public static LabelSpace Synthia16 { get; } = CreateSynthia16();

    /// <summary>Gets Cityscapes 19 read from files that already hold train ids (<c>*_labelTrainIds.png</c>, BDD100K): 0…18 kept, else 255.</summary>
    public static LabelSpace Cityscapes19TrainIds { get; } = Identity("cityscapes-19-trainids", Cityscapes19Names, Cityscapes19Colors);

    /// <summary>Gets Cityscapes with the 16 classes of the SYNTHIA setting, read from <c>*_labelTrainIds.png</c> files (19-class train ids).</summary>
    public static LabelSpace Cityscapes16TrainIds { get; } = new(
        "cityscapes-16-trainids",
        [.. Sixteen.Select(i => Cityscapes19Names[i])],
        [.. Sixteen.Select(i => Cityscapes19Colors[i])],
        Enumerable.Range(0, Sixteen.Length).ToDictionary(c => Sixteen[c], c => c));

    /// <summary>Gets BDD100K: the files hold train ids 0…18 (kept), every other value → 255.</summary>
    public static LabelSpace Bdd100k { get; } = Identity("bdd100k-19", Cityscapes19Names, Cityscapes19Colors);

    /// <summary>Gets Mapillary Vistas v1.2 ids (0…65) → the 19 Cityscapes classes, other ids → 255.</summary>
    public static LabelSpace Mapillary19 { get; } = CreateMapillary19();

    /// <summary>Gets the indices, in the 16-class spaces, of the 13 classes of the mIoU* protocol (wall, fence and pole excluded).</summary>
    public static IReadOnlyList<int> Synthia13ClassIndices { get; } = [0, 1, 2, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];

    /// <summary>Gets the name.</summary>
    public string Name { get; }

    /// <summary>Gets the class names indexed by train id.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Gets the class colours indexed by train id.</summary>
    public IReadOnlyList<LabelColor> Colors { get; }

    /// <summary>Gets the number of classes.</summary>
    public int ClassCount => ClassNames.Count;

    /// <summary>Gets the lookup size: 256 (8-bit label files) or 65 536 (16-bit label files).</summary>
    public int LookupSize => _lookup.Length;

    /// <summary>Gets a value indicating whether raw values the space does not list are an error (instead of mapping to 255).</summary>
    public bool IsStrict { get; }

    /// <summary>Creates a space whose files already hold train ids: values <c>0 … classCount−1</c> are kept, all others map to 255.</summary>
    /// <param name="name">The name.</param>
    /// <param name="classNames">The class names.</param>
    /// <param name="colors">One colour per class.</param>
    /// <returns>A lenient label space.</returns>
    public static LabelSpace Identity(string name, IReadOnlyList<string> classNames, IReadOnlyList<LabelColor> colors)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        return new LabelSpace(name, classNames, colors, Enumerable.Range(0, classNames.Count).ToDictionary(i => i, i => i));
    }

    /// <summary>Maps a raw label value to a train id.</summary>
    /// <param name="rawValue">The value stored in the label file.</param>
    /// <param name="trainId">The train id, or 255 when ignored.</param>
    /// <returns><see langword="false"/> when the space is strict and does not list <paramref name="rawValue"/> (lenient spaces map it to 255).</returns>
    public bool TryMap(int rawValue, out byte trainId)
    {
        if ((uint)rawValue >= (uint)_lookup.Length)
        {
            trainId = IgnoreIndex;
            return !IsStrict && rawValue >= 0;
        }

        trainId = _lookup[rawValue];
        return _known[rawValue] || !IsStrict;
    }

    /// <summary>Gets the raw label value that represents a train id when writing label files in this space's format.</summary>
    /// <param name="trainId">A class in <c>[0, ClassCount)</c> or 255.</param>
    /// <returns>The smallest raw value that maps to <paramref name="trainId"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">No raw value maps to <paramref name="trainId"/>.</exception>
    public int GetRawValue(int trainId)
    {
        var raw = trainId == IgnoreIndex ? _rawIdOfIgnore : (uint)trainId < (uint)_rawIdOfClass.Length ? _rawIdOfClass[trainId] : -1;
        if (raw < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(trainId), trainId, $"No raw value of label space '{Name}' maps to train id {trainId}.");
        }

        return raw;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({ClassCount} classes{(IsStrict ? ", strict" : string.Empty)})";

    private static LabelSpace CreateCityscapes19()
    {
        var map = new Dictionary<int, int>();
        for (var c = 0; c < CityscapesLabelIds.Length; c++)
        {
            map[CityscapesLabelIds[c]] = c;
        }

        return new LabelSpace("cityscapes-19", Cityscapes19Names, Cityscapes19Colors, map);
    }

    private static LabelSpace CreateCityscapes16()
    {
        var map = new Dictionary<int, int>();
        for (var c = 0; c < Sixteen.Length; c++)
        {
            map[CityscapesLabelIds[Sixteen[c]]] = c;
        }

        return new LabelSpace("cityscapes-16", [.. Sixteen.Select(i => Cityscapes19Names[i])], [.. Sixteen.Select(i => Cityscapes19Colors[i])], map);
    }

    private static LabelSpace CreateSynthia16()
    {
        int[] synthiaIds = [3, 4, 2, 21, 5, 7, 15, 9, 6, 1, 10, 17, 8, 19, 12, 11];
        var map = new Dictionary<int, int>();
        for (var c = 0; c < synthiaIds.Length; c++)
        {
            map[synthiaIds[c]] = c;
        }

        return new LabelSpace("synthia-16", [.. Sixteen.Select(i => Cityscapes19Names[i])], [.. Sixteen.Select(i => Cityscapes19Colors[i])], map, lookupSize: 65536);
    }

    private static LabelSpace CreateMapillary19()
    {
        var map = new Dictionary<int, int>
        {
            [13] = 0, [24] = 0, [41] = 0, [2] = 1, [15] = 1, [17] = 2, [6] = 3, [3] = 4, [45] = 5, [47] = 5, [48] = 6, [50] = 7,
            [30] = 8, [29] = 9, [27] = 10, [19] = 11, [20] = 12, [21] = 12, [22] = 12, [55] = 13, [61] = 14, [54] = 15, [58] = 16,
            [57] = 17, [52] = 18,
        };
        return new LabelSpace("mapillary-19", Cityscapes19Names, Cityscapes19Colors, map);
    }
}
