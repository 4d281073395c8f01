using SegBridge.Protocol.Messages;
using SegBridge.Tests.Support;

namespace SegBridge.Tests.Integration;

/// <summary>
/// Limits on open images (count and bytes, per connection and engine-wide) through the real engine, and that
/// images/close gives the memory back: the engine's resident size falls once large images are closed.
/// </summary>
public sealed class ImageLimitTests
{
    [Fact]
    public async Task A_connection_may_hold_only_so_many_images_and_closing_one_makes_room()
    {
        var png = TestImages.DiskPng(40, 30, 20, 15, 8);
        var (engine, rpc) = EngineProcess.StartStdio("--no-journal", "--max-images-per-client", "3");
        await using (engine)
        using (rpc)
        {
            await rpc.InitializeAsync();
            var opened = new List<ImageInfo>();
            for (int i = 0; i < 3; i++) opened.Add(await rpc.CallAsync<ImageInfo>("images/open", new OpenImageParams { Encoded = png }));
            var refused = await rpc.ErrorAsync("images/open", new OpenImageParams { Encoded = png });
            Assert.Equal(1004, refused.ErrorCode);
            Assert.Contains("already has 3 open images", refused.Message);

            await rpc.CallAsync<Ack>("images/close", new ImageIdParams { ImageId = opened[0].ImageId });
            var again = await rpc.CallAsync<ImageInfo>("images/open", new OpenImageParams { Encoded = png });
            Assert.Equal(40, again.Width);
        }
    }

    [Fact]
    public async Task The_bytes_a_connection_holds_are_limited()
    {
        var big = TestImages.DiskPng(1000, 1000, 500, 500, 200); // 3 MB of RGB pixels
        var (engine, rpc) = EngineProcess.StartStdio("--no-journal", "--max-image-mb-per-client", "5");
        await using (engine)
        using (rpc)
        {
            await rpc.InitializeAsync();
            var first = await rpc.CallAsync<ImageInfo>("images/open", new OpenImageParams { Encoded = big });
            var refused = await rpc.ErrorAsync("images/open", new OpenImageParams { Encoded = big });
            Assert.Equal(1004, refused.ErrorCode);
            Assert.Contains("MB", refused.Message);
            await rpc.CallAsync<Ack>("images/close", new ImageIdParams { ImageId = first.ImageId });
            await rpc.CallAsync<ImageInfo>("images/open", new OpenImageParams { Encoded = big });
        }
    }

    [Fact]
    public async Task Closing_large_images_gives_their_memory_back()
    {
        var large = TestImages.DiskPng(3000, 3000, 1500, 1500, 600); // 27 MB of RGB pixels each
        var (engine, rpc) = EngineProcess.StartStdio("--no-journal");
        await using (engine)
        using (rpc)
        {
            await rpc.InitializeAsync();
            var baseline = ImageFileSafetyTests.ResidentMb(engine.Process);
            var ids = new List<string>();
            for (int i = 0; i < 8; i++) ids.Add((await rpc.CallAsync<ImageInfo>("images/open", new OpenImageParams { Encoded = large })).ImageId);
            var held = ImageFileSafetyTests.ResidentMb(engine.Process);
            Assert.True(held - baseline > 150, $"8 open 3000×3000 images should hold over 150 MB; grew {held - baseline} MB");
            foreach (var id in ids) await rpc.CallAsync<Ack>("images/close", new ImageIdParams { ImageId = id });

            long after = held;
            for (int wait = 0; wait < 50 && after - baseline > 100; wait++)
            {
                await Task.Delay(200);
                after = ImageFileSafetyTests.ResidentMb(engine.Process);
            }
            Assert.True(after - baseline <= 100, $"after closing every image the engine still holds {after - baseline} MB over its {baseline} MB start ({held} MB with them open)");
        }
    }
}
