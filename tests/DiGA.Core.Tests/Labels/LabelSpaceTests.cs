using DiGA.Core.Labels;

namespace DiGA.Core.Tests.Labels;

public class LabelSpaceTests
{
    private static byte Map(LabelSpace space, int raw)
    {
        space.TryMap(raw, out var trainId).Should().BeTrue();
        return trainId;
    }

    [Fact]
    public void Cityscapes19_MapsLabelIdsAndSendsOthersToIgnore()
    {
        var space = LabelSpace.Cityscapes19;
        int[] labelIds = [7, 8, 11, 12, 13, 17, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 31, 32, 33];
        labelIds.Select(id => (int)Map(space, id)).Should().Equal(Enumerable.Range(0, 19));
        Map(space, 0).Should().Be(255);
        Map(space, 34).Should().Be(255);
        space.GetRawValue(13).Should().Be(26);
        space.GetRawValue(255).Should().Be(0);
        space.Colors[0].Should().Be(new LabelColor(128, 64, 128));
    }

    [Fact]
    public void SixteenClassSpaces_FollowTheSynthiaSetting()
    {
        LabelSpace.Cityscapes16.ClassCount.Should().Be(16);
        Map(LabelSpace.Cityscapes16, 22).Should().Be(255, "terrain is dropped");
        Map(LabelSpace.Cityscapes16, 23).Should().Be(9, "sky");
        Map(LabelSpace.Cityscapes16, 33).Should().Be(15, "bicycle");
        LabelSpace.Synthia16.LookupSize.Should().Be(65536);
        int[] synthiaIds = [3, 4, 2, 21, 5, 7, 15, 9, 6, 1, 10, 17, 8, 19, 12, 11];
        synthiaIds.Select(id => (int)Map(LabelSpace.Synthia16, id)).Should().Equal(Enumerable.Range(0, 16));
        Map(LabelSpace.Synthia16, 40000).Should().Be(255);
        LabelSpace.Synthia13ClassIndices.Select(i => LabelSpace.Synthia16.ClassNames[i]).Should().NotContain(["wall", "fence", "pole"]).And.HaveCount(13);
        LabelSpace.Synthia16.ClassNames.Should().Equal(LabelSpace.Cityscapes16.ClassNames);
    }

    [Fact]
    public void Mapillary19_MapsTheVistasTable()
    {
        var space = LabelSpace.Mapillary19;
        (int Vistas, int TrainId)[] table = [(13, 0), (24, 0), (41, 0), (2, 1), (15, 1), (17, 2), (6, 3), (3, 4), (45, 5), (47, 5), (48, 6), (50, 7), (30, 8), (29, 9), (27, 10), (19, 11), (20, 12), (21, 12), (22, 12), (55, 13), (61, 14), (54, 15), (58, 16), (57, 17), (52, 18)];
        foreach (var (vistas, trainId) in table)
        {
            Map(space, vistas).Should().Be((byte)trainId, $"Vistas id {vistas}");
        }

        Enumerable.Range(0, 66).Except(table.Select(t => t.Vistas)).Should().OnlyContain(id => Map(space, id) == 255);
    }

    [Fact]
    public void Bdd100k_KeepsTrainIdsOnly()
    {
        Map(LabelSpace.Bdd100k, 18).Should().Be(18);
        Map(LabelSpace.Bdd100k, 19).Should().Be(255);
    }

    [Fact]
    public void StrictSpace_RejectsUnlistedValues()
    {
        var space = new LabelSpace("toy", ["a"], [new LabelColor(1, 2, 3)], new Dictionary<int, int> { [4] = 0, [255] = 255 }, isStrict: true);
        space.TryMap(4, out var a).Should().BeTrue();
        a.Should().Be(0);
        space.TryMap(255, out _).Should().BeTrue();
        space.TryMap(5, out _).Should().BeFalse();
        ((Action)(() => _ = new LabelSpace("bad", ["a"], [new LabelColor(1, 2, 3)], new Dictionary<int, int> { [4] = 3 }))).Should().Throw<ArgumentException>().WithMessage("*raw value 4 maps to 3*");
    }
}
