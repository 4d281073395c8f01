using SegBridge.Engine.Images;
using SegBridge.Engine.Registry;
using SegBridge.Engine.Sessions;
using SegBridge.Models;
using SegBridge.Protocol.Messages;

namespace SegBridge.Engine.Api;

/// <summary>
/// Protocol records to engine types and back, for the records several methods share (images, models, sessions).
/// Interactions have their own mapper (<see cref="InteractionMapper"/>), masks their encoder (<see cref="MaskEncoder"/>),
/// volume results <see cref="VolumeResults"/>.
/// </summary>
internal static class ProtocolMapping
{
    public static SessionRequest ToRequest(CreateSessionParams p) => new()
    {
        Region = p.Region is { } r ? new RequestedRegion(r.X, r.Y, r.Width, r.Height) : null,
        Mpp = p.Mpp, Downsample = p.Downsample, Magnification = p.Magnification, Slice = p.Slice,
    };

    public static ImageInfo ToInfo(StoredImage image) => new()
    {
        ImageId = image.Id,
        Width = image.Width,
        Height = image.Height,
        Channels = image.Raster?.Channels ?? (image.Volume is null ? 3 : 1),
        Name = image.Name,
        Depth = image.Volume?.Depth,
        Spacing = image.Volume is { } v ? [v.Spacing.X, v.Spacing.Y, v.Spacing.Z] : null,
        Slide = image.Slide is not { } slide ? null : new SlideInfo
        {
            Vendor = slide.Vendor,
            Levels = slide.Levels.Select(l => new SlideLevelDto { Width = l.Width, Height = l.Height, Downsample = l.Downsample }).ToArray(),
            MppX = slide.MppX, MppY = slide.MppY, ObjectivePower = slide.ObjectivePower,
        },
    };

    public static ModelInfo ToInfo(ModelEntry e) => new()
    {
        Id = e.Manifest.Id,
        Name = e.Manifest.Name,
        Family = e.Manifest.Family,
        Role = e.Manifest.Role,
        Dimensions = e.Manifest.Dimensions,
        Interactions = e.Interactions.ToArray(),
        Status = e.IsReady ? "ready" : "unavailable",
        Reason = e.UnavailableReason,
        Licence = e.Manifest.Licence,
        Paper = e.Manifest.Paper,
        Description = e.Manifest.Description,
        Segments = e.Manifest.Segments,
        PixelSizeUm = e.Manifest.PixelSizeUm,
        InitialMask = e.Manifest.InitialMask,
        Manifest = Path.GetFileName(e.Manifest.File),
        Device = e.Model is IDeviceBound bound ? bound.Device : e.IsReady ? "cpu" : null,
    };

    public static SessionInfo ToInfo(Session s) => new()
    {
        SessionId = s.Id,
        ImageId = s.Image.Id,
        ModelId = s.Model.Manifest.Id,
        Width = s.Raster.Width,
        Height = s.Raster.Height,
        InteractionCount = s.InteractionCount,
        OriginX = s.Mapping.OriginX,
        OriginY = s.Mapping.OriginY,
        Downsample = s.Mapping.Downsample,
        Mpp = s.Mapping.Downsample * s.Image.Slide?.Mpp,
        Slice = s.Region.Slice,
        InitialMask = VolumeResults.InitialMaskName(s.Start),
    };
}
