using static TorchSharp.torch;

namespace SegBridge.Models.Torch.DeepScribble;

/// <summary>
/// One simulated session in RefineNet's training pool: a crop, its mask, GuideNet's probability on it (fixed for
/// the whole session, as at inference) and the scribbles so far (1 foreground, 2 background, 0 none). Each
/// training step is one more round: the network's answer at that step places the next scribble on its own errors.
/// The tensors live outside every dispose scope until the sequence retires.
/// </summary>
internal sealed class ScribbleSequence : IDisposable
{
    public Tensor Image { get; }
    public byte[] Mask { get; }
    public Tensor Probability { get; }
    public byte[] Labels { get; }
    /// <summary>Scribble rounds drawn so far (the first on GuideNet's errors).</summary>
    public int Rounds { get; set; }
    /// <summary>Set when the rounds are spent or the robot found nothing left to correct.</summary>
    public bool Finished { get; set; }

    /// <summary>Rounds this session may take (the options' rounds; fewer for the pool's first sessions, so the slots stay out of step).</summary>
    public int Limit { get; }

    public ScribbleSequence(Tensor image, byte[] mask, Tensor probability, int limit)
    {
        Limit = limit;
        Image = image.DetachFromDisposeScope();
        Probability = probability.DetachFromDisposeScope();
        Mask = mask;
        Labels = new byte[mask.Length];
    }

    public void Dispose()
    {
        Image.Dispose();
        Probability.Dispose();
    }
}
