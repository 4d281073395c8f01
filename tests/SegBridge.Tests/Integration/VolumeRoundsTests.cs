using SegBridge.Imaging.Encodings;
using SegBridge.Imaging.Volumes;
using SegBridge.Protocol.Messages;
using SegBridge.Tests.Support;
using SegBridge.Tests.Volumes;
using StreamJsonRpc;

namespace SegBridge.Tests.Integration;

/// <summary>
/// How volume rounds behave for a viewer, through the real executable with the shipped mem3d-brats weights:
/// per-slice streaming with progress (JSON over stdio and MessagePack over a pipe), the next round's session
/// starting from its slice's propagated mask, and rounds that survive an engine restart.
/// </summary>
public sealed class VolumeRoundsTests
{
    private const int W = 64, H = 60, D = 16, Start = 8;
    private static string Weights => Path.Combine(RepoPaths.Root, "plugin-manifests", "weights", "mem3d-brats.safetensors");

    private static string SphereFile(string dir) => SyntheticVolumes.SphereFile(dir, W, H, D);

    private static BoxDto Box => new() { X0 = 14, Y0 = 12, X1 = 50, Y1 = 48 };

    [SkippableFact]
    public async Task Propagation_streams_every_slice_with_its_mask_and_progress_before_the_response()
    {
        Skip.If(!File.Exists(Weights), $"no {Weights}");
        var dir = Directory.CreateTempSubdirectory("segbridge-stream").FullName;
        var path = SphereFile(dir);
        var progress = new NotificationLog<VolumeProgressParams>();
        var (engine, rpc) = EngineProcess.StartStdio(c => progress.Attach(c, "volumes/progress"), "--threads", "1");
        await using (engine)
        using (rpc)
        {
            await rpc.InitializeAsync();
            var img = await rpc.CallAsync<ImageInfo>("images/open", new OpenImageParams { Path = path });
            var s = await rpc.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams { ImageId = img.ImageId, ModelId = "mem3d-brats", Slice = Start });
            await rpc.CallAsync<MaskResult>("sessions/interact", new InteractParams { SessionId = s.SessionId, Box = Box });

            var tooLong = await rpc.ErrorAsync("volumes/propagate", new PropagateVolumeParams { SessionId = s.SessionId, ProgressToken = new string('x', 201) });
            Assert.Equal(1003, tooLong.ErrorCode);
            Assert.Contains("progressToken must be 1 to 200 characters; it has 201", tooLong.Message);

            var result = await rpc.CallAsync<PropagateVolumeResult>("volumes/propagate", new PropagateVolumeParams { SessionId = s.SessionId, ProgressToken = "round-1" });
            var notes = await progress.WaitForAsync(D, TimeSpan.FromSeconds(5));
            AssertStreamMatches(result, notes, "round-1", s.SessionId);
            // The interactive slice comes first, then outwards from it: up, then down.
            Assert.Equal([.. Enumerable.Range(Start, D - Start), .. Enumerable.Range(0, Start).Reverse()], notes.Select(n => n.Slice));

            // Without a token nothing is sent.
            await rpc.CallAsync<PropagateVolumeResult>("volumes/propagate", new PropagateVolumeParams { SessionId = s.SessionId });
            await Task.Delay(200);
            Assert.Equal(D, progress.Received.Count);
        }
        Directory.Delete(dir, recursive: true);
    }

    [SkippableFact]
    public async Task Progress_notifications_also_reach_a_messagepack_client()
    {
        Skip.If(!File.Exists(Weights), $"no {Weights}");
        var dir = Directory.CreateTempSubdirectory("segbridge-stream-mp").FullName;
        var path = SphereFile(dir);
        var engine = EngineProcess.Start("serve", "--stdio", "--msgpack", "--threads", "1");
        await using (engine)
        {
            var duplex = new DuplexStream(engine.Process.StandardOutput.BaseStream, engine.Process.StandardInput.BaseStream);
            var progress = new NotificationLog<VolumeProgressParams>();
            using var rpc = Clients.MessagePack(duplex, c => progress.Attach(c, "volumes/progress"));
            await rpc.InitializeAsync();
            var img = await rpc.CallAsync<ImageInfo>("images/open", new OpenImageParams { Path = path });
            var s = await rpc.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams { ImageId = img.ImageId, ModelId = "mem3d-brats", Slice = Start });
            await rpc.CallAsync<MaskResult>("sessions/interact", new InteractParams { SessionId = s.SessionId, Box = Box });
            var result = await rpc.CallAsync<PropagateVolumeResult>("volumes/propagate", new PropagateVolumeParams { SessionId = s.SessionId, ProgressToken = "mp" });
            AssertStreamMatches(result, await progress.WaitForAsync(D, TimeSpan.FromSeconds(5)), "mp", s.SessionId);
        }
        Directory.Delete(dir, recursive: true);
    }

    [SkippableFact]
    public async Task Rounds_survive_a_restart_and_a_new_round_starts_from_the_propagated_mask()
    {
        Skip.If(!File.Exists(Weights), $"no {Weights}");
        var dir = Directory.CreateTempSubdirectory("segbridge-rounds").FullName;
        var state = Path.Combine(dir, "state");
        var path = SphereFile(dir);
        string s8, s3;
        int z3;
        PropagateVolumeResult first;
        var (engine, rpc) = EngineProcess.StartStdio("--threads", "1", "--state-dir", state);
        await using (engine)
        using (rpc)
        {
            await rpc.InitializeAsync();
            var img = await rpc.CallAsync<ImageInfo>("images/open", new OpenImageParams { Path = path });
            s8 = (await rpc.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams { ImageId = img.ImageId, ModelId = "mem3d-brats", Slice = Start })).SessionId;
            await rpc.CallAsync<MaskResult>("sessions/interact", new InteractParams { SessionId = s8, Box = Box });
            first = await rpc.CallAsync<PropagateVolumeResult>("volumes/propagate", new PropagateVolumeParams { SessionId = s8 });
            // The next round goes to the propagated slice with the most foreground (opened again, as a viewer would):
            // it starts from that slice's propagated mask.
            z3 = Enumerable.Range(0, D).Where(z => z != Start).MaxBy(z => first.Slices![z].ForegroundPixels);
            Assert.True(first.Slices![z3].ForegroundPixels > 0, "no slice got a propagated mask; the test needs one");
            var again = await rpc.CallAsync<ImageInfo>("images/open", new OpenImageParams { Path = path });
            var next = await rpc.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams { ImageId = again.ImageId, ModelId = "mem3d-brats", Slice = z3 });
            s3 = next.SessionId;
            Assert.Equal("propagation", next.InitialMask);
            var start = await rpc.CallAsync<MaskResult>("sessions/mask", new SessionParams { SessionId = s3 });
            Assert.Equal(first.Slices[z3].Rle.Counts, start.Rle!.Counts);
            // A slice model on the same volume starts empty: propagation belongs to the volumetric model.
            var cut = await rpc.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams { ImageId = img.ImageId, ModelId = "graph-cut", Slice = z3 });
            Assert.Null(cut.InitialMask);
        }

        (engine, rpc) = EngineProcess.StartStdio("--threads", "1", "--state-dir", state);
        await using (engine)
        using (rpc)
        {
            await rpc.InitializeAsync();
            // Nothing is re-propagated: the suggestion comes from the stored round.
            var suggestion = await rpc.CallAsync<SuggestSliceResult>("volumes/suggest", new SuggestSliceParams { SessionId = s8 });
            Assert.Equal(first.SuggestedSlice, suggestion.Slice);
            Assert.Equal([Start], suggestion.InteractiveSlices);
            var restored = (await rpc.CallAsync<SessionListResult>("sessions/list", new EmptyParams())).Sessions.Single(x => x.SessionId == s3);
            Assert.Equal("propagation", restored.InitialMask);
            var start = await rpc.CallAsync<MaskResult>("sessions/mask", new SessionParams { SessionId = s3 });
            Assert.Equal(first.Slices![z3].Rle.Counts, start.Rle!.Counts);

            var refined = await rpc.CallAsync<MaskResult>("sessions/interact", new InteractParams { SessionId = s3, Box = Box });
            Assert.True(refined.ForegroundPixels > 0);
            var second = await rpc.CallAsync<PropagateVolumeResult>("volumes/propagate", new PropagateVolumeParams { SessionId = s3 });
            Assert.Equal(new[] { z3, Start }.Order(), second.InteractiveSlices);
            Assert.Equal(first.Slices[Start].Rle.Counts, second.Slices![Start].Rle.Counts);
            Assert.Equal(refined.Rle!.Counts, second.Slices[z3].Rle.Counts);
        }

        // A damaged rounds file is set aside, not fatal: the sessions come back, the volume starts without rounds.
        var roundsFile = Assert.Single(Directory.GetFiles(Path.Combine(state, "volumes"), "*.json"));
        await File.WriteAllTextAsync(roundsFile, "{\"volumeKey\": 12");
        (engine, rpc) = EngineProcess.StartStdio("--threads", "1", "--state-dir", state);
        await using (engine)
        using (rpc)
        {
            await rpc.InitializeAsync();
            var none = await rpc.ErrorAsync("volumes/suggest", new SuggestSliceParams { SessionId = s8 });
            Assert.Contains("call volumes/propagate first", none.Message);
            Assert.True(File.Exists(roundsFile + ".unreadable"));
        }
        Directory.Delete(dir, recursive: true);
    }

    [SkippableFact]
    public async Task Extreme_points_are_an_interaction_of_their_own_checked_journalled_and_listed_in_history()
    {
        Skip.If(!File.Exists(Weights), $"no {Weights}");
        var dir = Directory.CreateTempSubdirectory("segbridge-extreme").FullName;
        var state = Path.Combine(dir, "state");
        var path = SphereFile(dir);
        // The sphere's left-, right-, top- and bottom-most pixels on the start slice (pixel centres).
        var truth = SyntheticVolumes.SphereMask(W, H, D, Start);
        var fg = Enumerable.Range(0, W * H).Where(i => truth[i] != 0).Select(i => (X: i % W + 0.5, Y: i / W + 0.5)).ToList();
        double[][] points = [[fg.Min(p => p.X), fg.First(p => p.X == fg.Min(q => q.X)).Y], [fg.Max(p => p.X), fg.First(p => p.X == fg.Max(q => q.X)).Y],
                             [fg.First(p => p.Y == fg.Min(q => q.Y)).X, fg.Min(p => p.Y)], [fg.First(p => p.Y == fg.Max(q => q.Y)).X, fg.Max(p => p.Y)]];
        string sessionId;
        MaskResult extreme;
        var (engine, rpc) = EngineProcess.StartStdio("--threads", "1", "--state-dir", state);
        await using (engine)
        using (rpc)
        {
            var init = await rpc.InitializeAsync();
            Assert.Contains("extremePoints", init.Capabilities.Interactions);
            var img = await rpc.CallAsync<ImageInfo>("images/open", new OpenImageParams { Path = path });
            sessionId = (await rpc.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams { ImageId = img.ImageId, ModelId = "mem3d-brats", Slice = Start })).SessionId;

            var three = await rpc.ErrorAsync("sessions/interact", new InteractParams { SessionId = sessionId, ExtremePoints = new ExtremePointsDto { Points = points[..3] } });
            Assert.Equal(4002, three.ErrorCode);
            Assert.Contains("extremePoints.points has 3 points", three.Message);
            var outside = await rpc.ErrorAsync("sessions/interact", new InteractParams { SessionId = sessionId, ExtremePoints = new ExtremePointsDto { Points = [points[0], points[1], points[2], [W + 5, 3]] } });
            Assert.Contains("extremePoints.points[3]", outside.Message);
            Assert.Contains("is outside the 64×60 image", outside.Message);
            var flat = await rpc.ErrorAsync("sessions/interact", new InteractParams { SessionId = sessionId, ExtremePoints = new ExtremePointsDto { Points = [[5, 5], [5, 5], [5, 5], [5, 5.5]] } });
            Assert.Contains("span less than one pixel", flat.Message);
            var two = await rpc.ErrorAsync("sessions/interact", new InteractParams { SessionId = sessionId, Box = Box, ExtremePoints = new ExtremePointsDto { Points = points } });
            Assert.Contains("exactly one interaction, got box and extremePoints", two.Message);

            extreme = await rpc.CallAsync<MaskResult>("sessions/interact", new InteractParams { SessionId = sessionId, ExtremePoints = new ExtremePointsDto { Points = points }, Format = "raw" });
            // How well (the BraTS-trained f_In on a synthetic sphere) is VolumePropagationTests' business; here: the
            // mask lies inside the points' box enlarged by 10 % per side, f_In's ROI.
            Assert.True(extreme.ForegroundPixels > 0);
            double x0 = points.Min(p => p[0]), x1 = points.Max(p => p[0]), y0 = points.Min(p => p[1]), y1 = points.Max(p => p[1]);
            double mx = 0.1 * (x1 - x0) + 2, my = 0.1 * (y1 - y0) + 2;
            Assert.All(Enumerable.Range(0, W * H).Where(i => extreme.Data![i] != 0), i => Assert.True(
                i % W >= x0 - mx && i % W <= x1 + mx && i / W >= y0 - my && i / W <= y1 + my, $"foreground pixel ({i % W}, {i / W}) outside the ROI"));
            var history = await rpc.CallAsync<HistoryResult>("sessions/history", new SessionParams { SessionId = sessionId });
            Assert.Equal(points, Assert.Single(history.Interactions).ExtremePoints!.Points);

            // The same four points as a run of positive clicks (viewers that only click) give the same mask.
            var clicks = (await rpc.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams { ImageId = img.ImageId, ModelId = "mem3d-brats", Slice = Start })).SessionId;
            MaskResult? last = null;
            foreach (var p in points) last = await rpc.CallAsync<MaskResult>("sessions/interact", new InteractParams { SessionId = clicks, Click = new ClickDto { X = p[0], Y = p[1] }, Format = "raw" });
            Assert.Equal(extreme.Data, last!.Data);

            // A model without extreme points says so.
            var cut = await rpc.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams { ImageId = img.ImageId, ModelId = "graph-cut", Slice = Start });
            var unsupported = await rpc.ErrorAsync("sessions/interact", new InteractParams { SessionId = cut.SessionId, ExtremePoints = new ExtremePointsDto { Points = points } });
            Assert.Equal(2003, unsupported.ErrorCode);
        }

        (engine, rpc) = EngineProcess.StartStdio("--threads", "1", "--state-dir", state);
        await using (engine)
        using (rpc)
        {
            await rpc.InitializeAsync();
            var restored = await rpc.CallAsync<MaskResult>("sessions/mask", new SessionParams { SessionId = sessionId, Format = "raw" });
            Assert.Equal(extreme.Data, restored.Data);
        }
        Directory.Delete(dir, recursive: true);
    }

    private static void AssertStreamMatches(PropagateVolumeResult result, IReadOnlyList<VolumeProgressParams> notes, string token, string sessionId)
    {
        Assert.Equal(Enumerable.Range(1, D), notes.Select(n => n.Done));
        Assert.All(notes, n => Assert.Equal((token, sessionId, D), (n.ProgressToken, n.SessionId, n.Total)));
        Assert.Equal(Enumerable.Range(0, D), notes.Select(n => n.Slice).Order());
        foreach (var n in notes)
        {
            Assert.Equal([H, W], n.Rle.Size);
            Assert.Equal(result.Slices![n.Slice].Rle.Counts, n.Rle.Counts);
            Assert.Equal(result.Slices[n.Slice].ForegroundPixels, n.ForegroundPixels);
            Assert.Equal(result.Quality[n.Slice], n.Quality, 4);
        }
    }
}
