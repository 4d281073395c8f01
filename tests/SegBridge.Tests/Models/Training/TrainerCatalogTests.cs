using SegBridge.Models.Torch;
using SegBridge.Models.Training;

namespace SegBridge.Tests.Models.Training;

/// <summary>
/// The one lookup `segbridge train` and train/run share, over the real families' trainers: each refusal names the
/// option as the front end spells it, and nothing is trained or loaded before the request is known to be sound.
/// </summary>
public class TrainerCatalogTests
{
    private static readonly TrainerCatalog Catalog = new(TorchFamilies.Trainers);

    private static TrainingRequest Request(string family, Dictionary<string, string>? options = null, string[]? classData = null, bool cli = false) => new()
    {
        Family = family, Output = Path.Combine(Path.GetTempPath(), "segbridge-never-written"), Name = "never", Data = ["/nonexistent"],
        ClassData = classData ?? [], Options = options ?? [], Spell = cli ? n => "--" + n : n => n,
    };

    private static TrainingOptionException Refusal(TrainingRequest request)
        => Assert.Throws<TrainingOptionException>(() => Catalog.For(request).Train(request, null, CancellationToken.None));

    [Fact]
    public void Every_family_is_listed_once_in_the_order_the_cli_shows_them()
        => Assert.Equal(["brs-click", "guide", "weak-guide", "deepscribble", "mem3d"], Catalog.Families);

    [Fact]
    public void An_unknown_family_is_refused_listing_the_families()
    {
        var e = Assert.Throws<TrainingOptionException>(() => Catalog.For(Request("weak")));
        Assert.Equal("family", e.Option);
        Assert.Equal("family is 'weak'; allowed: brs-click, guide, weak-guide, deepscribble, mem3d", e.Message);
    }

    [Fact]
    public void An_option_of_another_family_names_who_takes_it()
    {
        var e = Assert.Throws<TrainingOptionException>(() => Catalog.For(Request("guide", new() { ["maskShare"] = "0.5" })));
        Assert.Equal(("maskShare", "maskShare is only for family weak-guide (got family guide)"), (e.Option, e.Message));
        e = Assert.Throws<TrainingOptionException>(() => Catalog.For(Request("mem3d", new() { ["crop"] = "64" })));
        Assert.Equal("crop is only for family brs-click, guide, weak-guide, deepscribble (got family mem3d)", e.Message);
        e = Assert.Throws<TrainingOptionException>(() => Catalog.For(Request("brs-click", classData: ["/x"])));
        Assert.Equal("classData", e.Option);
    }

    [Fact]
    public void An_option_no_family_takes_is_refused_by_the_trainer_listing_its_own()
    {
        var e = Refusal(Request("guide", new() { ["epochs"] = "3" }));
        Assert.Equal("epochs", e.Option);
        Assert.StartsWith("epochs is not an option of family guide; allowed: iterations, batch, crop, lr, seed, threads, backbone, depth", e.Message);
    }

    [Theory]
    [InlineData("brs-click", "iterations", "0", "iterations is 0; allowed range is [1, 1000000]")]
    [InlineData("brs-click", "iterations", "many", "iterations is 'many'; allowed: an integer in [1, 1000000]")]
    [InlineData("guide", "crop", "50", "crop is 50; it must be a multiple of 16")]
    [InlineData("guide", "lr", "0", "lr is 0; allowed range is (0, 1]")]
    [InlineData("guide", "width", "4", "width is 4; allowed range is [8, 256]")]
    [InlineData("guide", "asppChannels", "17", "asppChannels is 17; it must be even (CGAM halves it)")]
    [InlineData("weak-guide", "noClassLoss", "maybe", "noClassLoss is 'maybe'; allowed: true, false")]
    [InlineData("mem3d", "channels", "20", "channels is 20; it must be a multiple of 16, at least 16")]
    [InlineData("mem3d", "qualityIterations", "-1", "qualityIterations is -1; allowed range is [0, 1000000]")]
    [InlineData("deepscribble", "inputs", "I+D", "inputs is 'I+D'; allowed: I, I+P, I+P+S, I+P+D")]
    public void A_bad_value_is_refused_naming_the_option_and_what_is_allowed(string family, string option, string value, string message)
    {
        var options = new Dictionary<string, string> { [option] = value };
        if (family == "deepscribble") options["guideWeights"] = "/nonexistent.safetensors";
        var e = Refusal(Request(family, options));
        Assert.Equal((option, message), (e.Option, e.Message));
    }

    [Fact]
    public void The_cli_spelling_reaches_messages_that_name_two_options()
    {
        var e = Refusal(Request("weak-guide", new() { ["classWeight"] = "0.5", ["noClassLoss"] = "true" }, cli: true));
        Assert.Equal("--classWeight and --noClassLoss exclude each other", e.Message);
    }

    [Theory]
    [InlineData("brs-click", "data")]
    [InlineData("guide", "data")]
    [InlineData("weak-guide", "data")]
    [InlineData("deepscribble", "guideWeights")]
    [InlineData("mem3d", "data")]
    public void With_every_option_at_its_default_only_the_missing_input_is_refused(string family, string refused)
    {
        var request = Request(family);
        if (family == "weak-guide") request = request with { Options = new Dictionary<string, string> { ["noClassLoss"] = "true" } };
        Assert.Equal(refused, Refusal(request).Option);
    }
}
