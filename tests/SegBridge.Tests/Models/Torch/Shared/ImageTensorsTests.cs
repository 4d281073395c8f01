using SegBridge.Imaging.Rasters;
using SegBridge.Models.Torch;

namespace SegBridge.Tests.Models.Torch.Shared;

public sealed class ImageTensorsTests
{
    [Theory]
    [InlineData(775, 522, 400)] // GlaS: the last row's centre lands at 268.6 of a 269-row network image
    [InlineData(1000, 17, 400)]
    [InlineData(300, 200, 400)] // no downscale
    public void Corner_pixels_map_inside_the_network_image_and_padding_reaches_a_multiple_of_16(int width, int height, int maxSide)
    {
        var image = new ImageRaster(width, height, 3, new byte[width * height * 3]);
        var t = ImageTensors.FromRaster(image, maxSide);
        Assert.True(Math.Max(t.Width, t.Height) <= maxSide);
        Assert.Equal(0, t.Padded.shape[2] % 16);
        Assert.Equal(0, t.Padded.shape[3] % 16);
        foreach (var (x, y) in new[] { (0.0, 0.0), (width - 0.01, height - 0.01), (width - 1.0, 0.0), (0.0, height - 1.0) })
        {
            var (nx, ny) = t.ToNetwork(x, y);
            Assert.InRange(Math.Round(nx), 0, t.Width - 1);
            Assert.InRange(Math.Round(ny), 0, t.Height - 1);
        }
        var probability = t.ToRasterProbability(TorchSharp.torch.zeros(1, 1, t.Padded.shape[2], t.Padded.shape[3]), width, height);
        Assert.Equal(width * height, probability.Length);
        Assert.All(probability, p => Assert.Equal(0.5f, p));
    }
}
