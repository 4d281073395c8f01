namespace SegBridge.Models.Torch.Brs;

/// <summary>A click in network-input pixels: (X, Y) is the column and row, Radius the user's tolerance disk.</summary>
public readonly record struct ClickPoint(double X, double Y, bool Positive, double Radius);
