using SegBridge.Imaging.Encodings;
using SegBridge.Protocol;
using SegBridge.Protocol.Messages;
using SegBridge.Tests.Support;
using StreamJsonRpc;

namespace SegBridge.Tests.Integration;

/// <summary>
/// What a viewer does in one sitting, asserted step by step: handshake, list models, open an image,
/// click, scribble, undo, redo, fetch the mask in every format, read the history, close.
/// The same script runs over every transport and encoding.
/// </summary>
internal static class ViewerWorkflow
{
    public const int W = 120, H = 100, Cx = 60, Cy = 50, R = 25;

    public static async Task RunAsync(JsonRpc rpc, OpenImageParams image, string modelId = "random-walker")
    {
        var init = await rpc.InitializeAsync();
        Assert.Equal(ProtocolInfo.Version, init.ProtocolVersion);
        Assert.Contains("rle", init.Capabilities.MaskFormats);
        Assert.Contains(init.Models, m => m.Id == modelId && m.Status == "ready");

        var models = await rpc.CallAsync<ModelListResult>("models/list", new EmptyParams());
        Assert.Contains(models.Models, m => m.Id == "watershed");
        Assert.Contains(models.Models, m => m.Id == "graph-cut");

        var img = await rpc.CallAsync<ImageInfo>("images/open", image);
        Assert.Equal((W, H), (img.Width, img.Height));

        var session = await rpc.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams { ImageId = img.ImageId, ModelId = modelId });

        var afterClick = await rpc.CallAsync<MaskResult>("sessions/interact", new InteractParams
        {
            SessionId = session.SessionId, Click = new ClickDto { X = Cx, Y = Cy, Positive = true, Radius = 4 }, Format = "raw",
        });
        Assert.Equal(1, afterClick.InteractionCount);
        Assert.True(TestImages.DiskIoU(afterClick.Data!, W, H, Cx, Cy, R) > 0.8, $"click IoU too low; notes: {afterClick.Notes}");

        var afterScribble = await rpc.CallAsync<MaskResult>("sessions/interact", new InteractParams
        {
            SessionId = session.SessionId,
            Scribble = new ScribbleDto { Points = [[5, 5], [110, 8], [112, 92]], Positive = false, Width = 3 },
            Format = "rle",
        });
        Assert.Equal(2, afterScribble.InteractionCount);
        var scribbleMask = CocoRle.Decode(afterScribble.Rle!.Counts, W, H);
        Assert.True(TestImages.DiskIoU(scribbleMask.Data, W, H, Cx, Cy, R) > 0.9);
        Assert.Equal([H, W], afterScribble.Rle.Size);

        var undone = await rpc.CallAsync<MaskResult>("sessions/undo", new SessionParams { SessionId = session.SessionId, Format = "raw" });
        Assert.Equal(1, undone.InteractionCount);
        Assert.Equal(afterClick.Data, undone.Data);

        var redone = await rpc.CallAsync<MaskResult>("sessions/redo", new SessionParams { SessionId = session.SessionId, Format = "raw" });
        Assert.Equal(2, redone.InteractionCount);
        Assert.Equal(scribbleMask.Data, redone.Data);

        var png = await rpc.CallAsync<MaskResult>("sessions/mask", new SessionParams { SessionId = session.SessionId, Format = "png" });
        Assert.Equal(scribbleMask.Data, MaskPng.Decode(png.Data!).Data);

        var polygons = await rpc.CallAsync<MaskResult>("sessions/mask", new SessionParams { SessionId = session.SessionId, Format = "polygons" });
        Assert.Equal("MultiPolygon", polygons.Geometry!.Type);
        Assert.Equal(scribbleMask.Data, MaskPolygons.Rasterize(polygons.Geometry.Coordinates, W, H).Data);
        Assert.Equal(redone.Bbox, polygons.Bbox);

        var history = await rpc.CallAsync<HistoryResult>("sessions/history", new SessionParams { SessionId = session.SessionId });
        Assert.Equal(["click", "scribble"], history.Interactions.Select(i => i.Type));
        Assert.Equal(Cx, history.Interactions[0].Click!.X);

        var boxed = await rpc.CallAsync<MaskResult>("sessions/interact", new InteractParams
        {
            SessionId = session.SessionId, Box = new BoxDto { X0 = 28, Y0 = 18, X1 = 93, Y1 = 83 }, Format = "raw",
        });
        Assert.Equal(3, boxed.InteractionCount);
        Assert.True(TestImages.DiskIoU(boxed.Data!, W, H, Cx, Cy, R) > 0.9);

        var labels = new byte[W * H];
        for (int x = Cx - 10; x <= Cx + 10; x++) labels[Cy * W + x] = 1;
        for (int y = 0; y < H; y++) labels[y * W + 2] = 2;
        var labelled = await rpc.CallAsync<MaskResult>("sessions/interact", new InteractParams
        {
            SessionId = session.SessionId, Labels = new LabelsDto { Raw = labels }, Format = "raw",
        });
        Assert.Equal(4, labelled.InteractionCount);
        Assert.True(TestImages.DiskIoU(labelled.Data!, W, H, Cx, Cy, R) > 0.9);

        var reset = await rpc.CallAsync<MaskResult>("sessions/reset", new SessionParams { SessionId = session.SessionId, Format = "raw" });
        Assert.Equal(0, reset.InteractionCount);
        Assert.Equal(0, reset.ForegroundPixels);

        await rpc.CallAsync<Ack>("sessions/close", new SessionParams { SessionId = session.SessionId });
        var gone = await rpc.ErrorAsync("sessions/mask", new SessionParams { SessionId = session.SessionId });
        Assert.Equal(4001, gone.ErrorCode);
    }
}
