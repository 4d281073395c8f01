namespace SegBridge.Imaging.Codecs;

/// <summary>
/// The bytes could not be turned into an image. The message is meant for the client: it says
/// what was wrong with their input, never just a library's internal error text.
/// </summary>
public class ImageDecodeException : Exception
{
    public ImageDecodeException(string message) : base(message) { }
    public ImageDecodeException(string message, Exception inner) : base(message, inner) { }
}
