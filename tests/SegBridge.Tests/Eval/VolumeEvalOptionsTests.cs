using SegBridge.Eval.Volumes;

namespace SegBridge.Tests.Eval;

/// <summary>The checks of a volume evaluation's options: each refusal names its field and what is allowed.</summary>
public sealed class VolumeEvalOptionsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("segbridge-volume-options").FullName;

    public VolumeEvalOptionsTests()
    {
        foreach (var (name, files) in new[] { ("case_a", new[] { "Flair_a.nii.gz", "OTMultiClass.nii.gz" }), ("case_b", ["Flair_b.nii.gz"]) })
        {
            var dir = Directory.CreateDirectory(Path.Combine(_root, name)).FullName;
            foreach (var f in files) File.WriteAllBytes(Path.Combine(dir, f), []); // listing only looks at names
        }
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private VolumeEvalOptions Options => new() { Dataset = _root, ModelId = "mem3d-brats", Output = Path.Combine(_root, "out") };

    [Fact]
    public void A_checked_plan_holds_the_matching_cases_and_says_which_folders_were_skipped()
    {
        var plan = Options.Check();
        Assert.Equal(["case_a"], plan.Cases.Select(c => c.Name));
        Assert.Equal(Path.GetFullPath(_root), plan.Dataset);
        Assert.Contains(plan.Skipped, s => s.StartsWith("case_b: 1 files match 'Flair*' and 0 match 'OTMultiClass*'"));
    }

    [Theory]
    [InlineData("rounds", "rounds is 0; allowed range is [1, 50]", "[1, 50]")]
    [InlineData("sliceChoices", "sliceChoices is 'quality,worst'; allowed: quality, expected-errors, oracle, random (comma-separated)", "quality, expected-errors, oracle, random")]
    [InlineData("interaction", "interaction is 'lasso'; allowed: box, extreme, scribble", "box, extreme, scribble")]
    [InlineData("cases", "matches cases 'case_z'", "globs matching a case folder")]
    [InlineData("dataset", "no such dataset folder", "an existing folder")]
    public void A_bad_field_is_refused_by_its_name_with_what_is_allowed(string field, string message, string allowed)
    {
        var options = field switch
        {
            "rounds" => Options with { Rounds = 0 },
            "sliceChoices" => Options with { SliceChoices = ["quality", "worst"] },
            "interaction" => Options with { Interaction = "lasso" },
            "cases" => Options with { Cases = "case_z" },
            _ => Options with { Dataset = Path.Combine(_root, "missing") },
        };
        var e = Assert.Throws<VolumeEvalOptionException>(options.Check);
        Assert.Equal(field, e.Field);
        Assert.Contains(message, e.Message);
        Assert.Equal(allowed, e.Allowed);
    }

    [Fact]
    public void The_message_can_name_the_field_as_the_caller_spells_it()
    {
        var e = Assert.Throws<VolumeEvalOptionException>((Options with { Rounds = 51 }).Check);
        Assert.Equal("--rounds is 51; allowed range is [1, 50]", e.MessageFor("--rounds"));
    }
}
