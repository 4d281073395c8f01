using static TorchSharp.torch;

namespace SegBridge.Models.Torch.Networks;

/// <summary>
/// A network that reads more than the image, started from a trained guide: every weight the guide has is copied,
/// and what reads the extra channels (the guidance convolution beside a pretrained stem, or the extra input
/// columns of the DMF convolution) starts at zero. At step 0 it therefore answers exactly as the guide does and
/// training learns only what the extra channels add (DeepScribble's RefineNet, the click network on a guide).
/// </summary>
public static class GuideStart
{
    public static ClickNetwork Widen(ClickNetworkConfig config, ClickNetwork guide)
    {
        if (guide.Config.InputChannels != 3 || guide.Config.RefineInputs is not null)
            throw new ArgumentException("the network to start from must be a guide network (3 input channels)");
        if (config.InputChannels <= 3) throw new ArgumentException("the widened network must read more than the image");
        var network = new ClickNetwork(config);
        var source = guide.state_dict();
        using var _ = no_grad();
        foreach (var (name, target) in network.state_dict())
        {
            if (!source.TryGetValue(name, out var value))
            {
                // Only the guidance convolution beside a pretrained stem is new; anything else missing is a wrong file.
                if (!name.StartsWith("guidance.", StringComparison.Ordinal)) throw new ArgumentException($"the guide has no '{name}'");
                target.zero_();
                continue;
            }
            // The DMF convolution gains input columns (dimension 1); every other tensor must match exactly.
            bool widened = name == "dmf.0.weight";
            bool fits = widened ? value.shape[0] == target.shape[0] && value.shape.Skip(2).SequenceEqual(target.shape.Skip(2)) : value.shape.SequenceEqual(target.shape);
            if (!fits)
                throw new ArgumentException($"the guide's '{name}' has shape [{string.Join(",", value.shape)}], the network needs [{string.Join(",", target.shape)}]: give the guide's network shape");
            if (widened)
            {
                target.zero_();
                target[.., ..3].copy_(value.to(target.device));
            }
            else target.copy_(value.to(target.device));
        }
        return network;
    }
}
