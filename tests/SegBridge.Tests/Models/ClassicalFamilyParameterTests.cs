using System.Text.Json;
using SegBridge.Models;
using SegBridge.Models.Classical;

namespace SegBridge.Tests.Models;

public class ClassicalFamilyParameterTests
{
    private static ModelParameters Params(string json) =>
        new(JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json));

    private static IModelFamily Family(string id) => ClassicalFamilies.All.Single(f => f.Family == id);

    [Fact]
    public void AllThreeFamiliesAreListedWithEveryInteraction()
    {
        Assert.Equal(["classical/random-walker", "classical/watershed", "classical/graph-cut"], ClassicalFamilies.All.Select(f => f.Family));
        foreach (var f in ClassicalFamilies.All) Assert.Equal(["click", "scribble", "labels", "box"], f.Interactions);
    }

    [Theory]
    [InlineData("classical/random-walker", """{"beta": -1}""", "beta")]
    [InlineData("classical/random-walker", """{"tolerance": 2}""", "tolerance")]
    [InlineData("classical/random-walker", """{"maxIterations": 0}""", "maxIterations")]
    [InlineData("classical/random-walker", """{"maxIterations": 2.5}""", "maxIterations")]
    [InlineData("classical/random-walker", """{"betaa": 100}""", "betaa")]
    [InlineData("classical/watershed", """{"sigma": "big"}""", "sigma")]
    [InlineData("classical/watershed", """{"sigma": 50}""", "sigma")]
    [InlineData("classical/watershed", """{"beta": 1}""", "beta")]
    [InlineData("classical/graph-cut", """{"lambda": -3}""", "lambda")]
    [InlineData("classical/graph-cut", """{"components": 0}""", "components")]
    [InlineData("classical/graph-cut", """{"grabCutIterations": 100}""", "grabCutIterations")]
    [InlineData("classical/graph-cut", """{"sigma": 1}""", "sigma")]
    public void BadParametersNameTheField(string family, string json, string field)
    {
        var ex = Assert.Throws<ModelParameterException>(() => Family(family).Create(Params(json), []));
        Assert.Equal(field, ex.Field);
        Assert.Contains($"parameters.{field}", ex.Message);
    }

    [Fact]
    public void GoodParametersReachTheModels()
    {
        var rw = Assert.IsType<RandomWalkerModel>(Family("classical/random-walker").Create(Params("""{"beta": 90, "tolerance": 1e-4, "maxIterations": 300}"""), []));
        Assert.Equal((90.0, 1e-4, 300), (rw.Beta, rw.Tolerance, rw.MaxIterations));
        var ws = Assert.IsType<WatershedModel>(Family("classical/watershed").Create(Params("""{"sigma": 0}"""), []));
        Assert.Equal(0, ws.Sigma);
        var gc = Assert.IsType<GraphCutModel>(Family("classical/graph-cut").Create(Params("""{"lambda": 10, "components": 3, "grabCutIterations": 2}"""), []));
        Assert.Equal((10.0, 3, 2), (gc.Lambda, gc.Components, gc.GrabCutIterations));
        var defaults = Assert.IsType<RandomWalkerModel>(Family("classical/random-walker").Create(ModelParameters.Empty, []));
        Assert.Equal((130.0, 1e-3), (defaults.Beta, defaults.Tolerance));
    }
}
