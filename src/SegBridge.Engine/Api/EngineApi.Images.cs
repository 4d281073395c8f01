using SegBridge.Engine.Images;
using SegBridge.Imaging.Codecs;
using SegBridge.Protocol;
using SegBridge.Protocol.Messages;

namespace SegBridge.Engine.Api;

/// <summary>images/open, images/close, images/png: the images sessions are made on.</summary>
public sealed partial class EngineApi
{
    public Task<ImageInfo> OpenImageAsync(OpenImageParams? p = null, CancellationToken ct = default)
    {
        RequireInitialized();
        if (p is null || new object?[] { p.Path, p.Encoded, p.Raw }.Count(x => x is not null) != 1)
            throw Errors.Argument("path|encoded|raw", "images/open needs exactly one of path, encoded or raw", "path, encoded, raw");
        var limit = engine.Options.MaxImagePixels;
        string? path = null;
        if (p.Path is not null)
        {
            if (string.IsNullOrWhiteSpace(p.Path) || p.Path.Contains('\0') || p.Path.Length > 4096)
                throw Errors.Argument("path", "path must be a non-empty file path (at most 4096 characters, no NUL)", "a file path");
            try { path = PathPolicy.Resolve(p.Path, engine.Options.AllowedRoots); }
            catch (UnauthorizedAccessException e) { throw ErrorMapping.PathNotAllowed(e, "path", !remoteClient); }
            if (path is null) throw Errors.Make(ErrorCodes.ImageUnreadable, $"no such file: {p.Path}", "path");
        }
        var source = p.Path is not null ? "path" : p.Encoded is not null ? "encoded" : "raw";
        try
        {
            engine.Images.CheckRoom(_connection);
            var image = path is not null ? engine.Opener.OpenFile(path, p.Name, p.Path, _connection)
                : p.Encoded is not null && ImageOpener.IsVolume(p.Encoded) ? engine.Opener.OpenVolumeBytes(p.Encoded, p.Name, _connection)
                : engine.Images.Add(p.Encoded is not null ? ImageDecoder.Decode(p.Encoded, limit)
                    : ImageDecoder.FromRaw(p.Raw!.Width, p.Raw.Height, p.Raw.Channels, p.Raw.Dtype ?? "", p.Raw.Data ?? [], limit),
                    p.Name, new ImageOrigin.Bytes(), _connection);
            Log.Info("opened {0} '{1}' {2}x{3}{4}", image.Id, image.Name, image.Width, image.Height, image.Volume is { } v ? $"x{v.Depth}" : "");
            return Task.FromResult(ProtocolMapping.ToInfo(image));
        }
        catch (EngineException e) { throw ErrorMapping.ToProtocol(e); }
        catch (Exception e) when (ErrorMapping.FromImageRead(e, p.Path, source, engine.Options) is { } error)
        {
            throw error;
        }
    }

    public Task<Ack> CloseImageAsync(ImageIdParams? p = null, CancellationToken ct = default)
    {
        RequireInitialized();
        var id = Errors.Required(p?.ImageId, "imageId", "img-1");
        if (!engine.Images.Remove(id)) throw UnknownImage(id);
        return Task.FromResult(new Ack());
    }

    public Task<ImagePngResult> GetImagePngAsync(ImageIdParams? p = null, CancellationToken ct = default)
    {
        RequireInitialized();
        var id = Errors.Required(p?.ImageId, "imageId", "img-1");
        if (!engine.Images.TryGet(id, out var image)) throw UnknownImage(id);
        if (image.Volume is { } volume)
            throw Errors.Argument("imageId", $"{id} is a {volume.Width}×{volume.Height}×{volume.Depth} volume; images/png serves 2D images only — read the volume file itself, or open a session on a slice", "an image that is not a volume");
        var raster = image.Raster
            ?? throw Errors.Argument("imageId", $"{id} is a whole-slide image ({image.Width}×{image.Height}); images/png serves decoded images only — read slide tiles with OpenSlide, or open a session on a region", "an image that is not a slide");
        return Task.FromResult(new ImagePngResult
        {
            ImageId = id, Width = raster.Width, Height = raster.Height,
            Png = SegBridge.Imaging.Encodings.MaskPng.EncodeRgb(raster),
        });
    }
}
