namespace DiGA.Core.Labels;

/// <summary>The 19 Cityscapes evaluation classes in train-id order, the default label space of the models.</summary>
internal static class CityscapesClassNames
{
    /// <summary>Gets a fresh list of the 19 class names.</summary>
    public static List<string> Create() =>
    [
        "road", "sidewalk", "building", "wall", "fence", "pole", "traffic light", "traffic sign", "vegetation", "terrain",
        "sky", "person", "rider", "car", "truck", "bus", "train", "motorcycle", "bicycle",
    ];
}
