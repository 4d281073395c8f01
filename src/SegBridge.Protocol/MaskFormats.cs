namespace SegBridge.Protocol;

public static class MaskFormats
{
    public const string Rle = "rle", Png = "png", Raw = "raw", Polygons = "polygons";
    public static readonly string[] All = [Rle, Png, Raw, Polygons];
}

public static class InteractionKinds
{
    public const string Click = "click", Scribble = "scribble", Labels = "labels", Box = "box", ExtremePoints = "extremePoints";
    public static readonly string[] All = [Click, Scribble, Labels, Box, ExtremePoints];
}
