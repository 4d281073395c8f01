using System.Runtime.CompilerServices;
using SegBridge.Engine;
using SegBridge.Engine.Api;
using SegBridge.Engine.Compute;
using SegBridge.Engine.Images;
using SegBridge.Engine.Volumes;
using SegBridge.Protocol;

namespace SegBridge.Tests.Architecture;

/// <summary>Engine refusals become the protocol errors clients have always seen: same code, message, field and allowed values.</summary>
public sealed class ErrorMappingTests
{
    public static TheoryData<EngineException, int, string?, string?> Cases() => new()
    {
        { new ComputeQueueFullException(QueueBound.Client, 8), ErrorCodes.LimitExceeded, "requests", "at most 8 per connection" },
        { new ComputeQueueFullException(QueueBound.Engine, 64), ErrorCodes.LimitExceeded, "requests", "at most 64 waiting" },
        { new ComputeTimeoutException(TimeSpan.FromSeconds(30)), ErrorCodes.LimitExceeded, "requestTimeout", null },
        { new ComputeSupersededException("ses-3"), ErrorCodes.Superseded, "sessionId", null },
        { new RegionTooLargeException("region", "too big", "at most 4 working pixels"), ErrorCodes.ImageTooLarge, "region", "at most 4 working pixels" },
        { new EngineArgumentException("slice", "slice 9 is outside", "0..3"), ErrorCodes.InvalidArgument, "slice", "0..3" },
        { new VolumeArgumentException("sessionId", "not a volume"), ErrorCodes.InvalidArgument, "sessionId", null },
        { new ImageLimitException("this connection already has 3 open images", "at most 3 open images per connection (--max-images-per-client)"), ErrorCodes.LimitExceeded, "images", "at most 3 open images per connection (--max-images-per-client)" },
        { new ImageFileException("'x' is a folder, not a regular file", "a regular image file"), ErrorCodes.ImageUnreadable, "path", "a regular image file" },
    };

    [Fact]
    public void A_path_outside_the_roots_lists_them_only_where_asked()
    {
        var outside = new PathOutsideRootsException("/etc/shadow", ["/home/me", "/srv/slides"]);
        var local = ErrorMapping.PathNotAllowed(outside, "path", showRoots: true);
        Assert.Equal((ErrorCodes.PathNotAllowed, "/home/me, /srv/slides"), (local.Code, local.Data?.Allowed));
        Assert.Contains("/srv/slides", local.Message);
        var remote = ErrorMapping.PathNotAllowed(outside, "path", showRoots: false);
        Assert.Equal(ErrorCodes.PathNotAllowed, remote.Code);
        Assert.DoesNotContain("/srv/slides", remote.Message + remote.Data?.Allowed);
        Assert.Contains("'/etc/shadow' is outside the folders", remote.Message);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_engine_refusal_has_its_protocol_error(EngineException refusal, int code, string? field, string? allowed)
    {
        var error = ErrorMapping.ToProtocol(refusal);
        Assert.Equal(code, error.Code);
        Assert.Equal(refusal.Message, error.Message);
        Assert.Equal(field, error.Data?.Field);
        Assert.Equal(allowed, error.Data?.Allowed);
        Assert.Equal(ErrorCodes.Names[code], error.Data?.CodeName);
    }

    [Fact]
    public void Every_engine_exception_type_is_mapped()
    {
        var kinds = typeof(EngineException).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(EngineException)) && !t.IsAbstract).ToList();
        Assert.NotEmpty(kinds);
        foreach (var kind in kinds)
        {
            var refusal = (EngineException)RuntimeHelpers.GetUninitializedObject(kind);
            var error = ErrorMapping.ToProtocol(refusal);
            Assert.NotEqual(ErrorCodes.InternalError, error.Code);
        }
    }
}
