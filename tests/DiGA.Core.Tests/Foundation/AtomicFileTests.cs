using DiGA.Core.Foundation;
using DiGA.Core.Tests.Data;

namespace DiGA.Core.Tests.Foundation;

public class AtomicFileTests
{
    [Fact]
    public void Write_ExistingTarget_ReplacesItAndLeavesNoTemporaryFile()
    {
        using var dir = new TempDirectory();
        var path = dir["nested/target.bin"];
        AtomicFile.Write(path, s => s.Write([1, 2, 3]));

        AtomicFile.Write(path, s => s.Write([4, 5]));

        File.ReadAllBytes(path).Should().Equal(4, 5);
        Directory.GetFiles(dir["nested"]).Should().ContainSingle().Which.Should().Be(path);
    }

    [Fact]
    public void Write_WriterThrows_KeepsTheOldContentAndDeletesTheTemporaryFile()
    {
        using var dir = new TempDirectory();
        var path = dir["target.bin"];
        AtomicFile.Write(path, s => s.Write([1, 2, 3]));

        var act = () => AtomicFile.Write(path, s =>
        {
            s.Write([9, 9]);
            throw new InvalidOperationException("disk on fire");
        });

        act.Should().Throw<InvalidOperationException>();
        File.ReadAllBytes(path).Should().Equal(1, 2, 3);
        Directory.GetFiles(dir.Path).Should().ContainSingle();
    }

    [Fact]
    public void Write_LeftoversOfAKilledWriter_DeletesThoseOfTheSameTargetOnly()
    {
        using var dir = new TempDirectory();
        var leftover = dir[$"target.bin.{Guid.NewGuid():N}.tmp"];
        var otherTarget = dir[$"other.bin.{Guid.NewGuid():N}.tmp"];
        var notOurs = dir["target.bin.backup.tmp"];
        foreach (var file in new[] { leftover, otherTarget, notOurs })
        {
            File.WriteAllBytes(file, [0]);
        }

        AtomicFile.Write(dir["target.bin"], s => s.Write([1]));

        File.Exists(leftover).Should().BeFalse();
        File.Exists(otherTarget).Should().BeTrue("only the target being written is cleaned");
        File.Exists(notOurs).Should().BeTrue("only names the writer itself uses are cleaned");
    }

    [Fact]
    public void Write_WhileAnotherWriteOfTheTargetIsInFlight_LeavesItsTemporaryFileAlone()
    {
        using var dir = new TempDirectory();
        var path = dir["target.bin"];
        using var first = AtomicFile.Begin(path);
        first.Stream.Write([1, 1]);

        AtomicFile.Write(path, s => s.Write([2]));
        first.Commit();

        File.ReadAllBytes(path).Should().Equal(1, 1);
        Directory.GetFiles(dir.Path).Should().ContainSingle();
    }

    [Fact]
    public void Begin_DisposedWithoutCommit_LeavesTheTargetUntouched()
    {
        using var dir = new TempDirectory();
        var path = dir["target.bin"];

        using (var write = AtomicFile.Begin(path))
        {
            write.Stream.Write([1]);
        }

        Directory.GetFiles(dir.Path).Should().BeEmpty();
    }

    [Fact]
    public void Write_AtomicOnly_ReplacesTheTargetAndLeavesNoTemporaryFile()
    {
        using var dir = new TempDirectory();
        var path = dir["image.png"];

        AtomicFile.Write(path, s => s.Write([1, 2]), WriteDurability.AtomicOnly);
        AtomicFile.Write(path, s => s.Write([3]), WriteDurability.AtomicOnly);

        File.ReadAllBytes(path).Should().Equal(3);
        Directory.GetFiles(dir.Path).Should().ContainSingle();
    }

    [Fact]
    public void DeleteLeftovers_RemovesTheWritersTemporaryFilesOfEveryTargetInTheFolder()
    {
        using var dir = new TempDirectory();
        var leftovers = new[] { dir[$"a.png.{Guid.NewGuid():N}.tmp"], dir[$"b.png.{Guid.NewGuid():N}.tmp"] };
        var notOurs = dir["notes.tmp"];
        foreach (var file in leftovers.Append(notOurs))
        {
            File.WriteAllBytes(file, [0]);
        }

        AtomicFile.DeleteLeftovers(dir.Path);

        Directory.GetFiles(dir.Path).Should().Equal(notOurs);
    }

    [Fact]
    public void IsTemporaryOf_RecognisesOnlyTheWritersOwnNames()
    {
        var guid = Guid.NewGuid().ToString("N");
        AtomicFile.IsTemporaryOf($"last.ckpt.{guid}.tmp", "last.ckpt").Should().BeTrue();
        AtomicFile.IsTemporaryOf($"best.ckpt.{guid}.tmp", "last.ckpt").Should().BeFalse();
        AtomicFile.IsTemporaryOf($"last.ckpt.{guid}.tmp", "ckpt").Should().BeFalse();
        AtomicFile.IsTemporaryOf("last.ckpt.0123456789abcdef0123456789abcdeg.tmp", "last.ckpt").Should().BeFalse();
        AtomicFile.IsTemporaryOf("last.ckpt", "last.ckpt").Should().BeFalse();
    }

    [Fact]
    public void FlushDirectory_FlushesOnUnixAndIsSkippedOnWindows()
    {
        using var dir = new TempDirectory();

        AtomicFile.FlushDirectory(dir.Path).Should().Be(!OperatingSystem.IsWindows());
        AtomicFile.FlushDirectory(dir["missing"]).Should().BeFalse();
    }
}
