using SegBridge.Models.Torch.Networks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SegBridge.Models.Torch.Mem3D;

/// <summary>
/// The whole Mem3D model: f_In (<see cref="InteractionNetwork"/>), f_Mem (query encoder on the slice, memory
/// encoder on slice + mask, 3×3 key projections to C/8 and value projections to C/2, <see cref="MemoryRead"/>,
/// <see cref="Mem3DDecoder"/>) and f_QA (<see cref="QualityHead"/>). Parameter names are the PyTorch ones of
/// tests/torch/mem3d_reference.py. The encoders are <see cref="SliceEncoder"/>s (no <see cref="Mem3DConfig.Backbone"/>)
/// or <see cref="ImageNetSliceEncoder"/>s (the ImageNet ResNet-18's first stages, <see cref="StartFromImageNet"/>).
/// </summary>
public sealed class Mem3DNetwork : Module
{
    public Mem3DConfig Config { get; }
    public InteractionNetwork f_in;
    /// <summary><see cref="SliceEncoder"/> or <see cref="ImageNetSliceEncoder"/>, as the config's backbone says.</summary>
    public Module query_encoder, memory_encoder;
    public Conv2d query_key, query_value, memory_key, memory_value;
    public Mem3DDecoder decoder;
    public QualityHead f_qa;

    /// <summary>One memory slice: key (N,C/8,h,w) and value (N,C/2,h,w).</summary>
    public sealed record MemoryCell(Tensor Key, Tensor Value) : IDisposable
    {
        public void Dispose() { Key.Dispose(); Value.Dispose(); }
    }

    public Mem3DNetwork(Mem3DConfig config) : base("mem3d")
    {
        config.Validate();
        Config = config;
        int c = config.Channels;
        f_in = new InteractionNetwork(config);
        bool imagenet = config.Backbone is ImageNetResNet18.Id;
        query_encoder = imagenet ? new ImageNetSliceEncoder(c, readsMask: false) : new SliceEncoder(1, c);
        memory_encoder = imagenet ? new ImageNetSliceEncoder(c, readsMask: true) : new SliceEncoder(2, c);
        query_key = Conv2d(c, config.KeyChannels, 3, padding: 1);
        query_value = Conv2d(c, config.ValueChannels, 3, padding: 1);
        memory_key = Conv2d(c, config.KeyChannels, 3, padding: 1);
        memory_value = Conv2d(c, config.ValueChannels, 3, padding: 1);
        decoder = new Mem3DDecoder(config);
        f_qa = new QualityHead(config);
        RegisterComponents();
        ResetNorms(this);
    }

    /// <summary>
    /// Both encoders' ResNet stages from the ImageNet ResNet-18 at <paramref name="path"/> (read once,
    /// <see cref="ImageNetResNet18.LoadInto"/>); returns the file's sha256. The mask convolution stays at zero, so the
    /// memory encoder starts as the query encoder's ResNet (their projections are drawn separately).
    /// </summary>
    public string StartFromImageNet(string path)
    {
        if (query_encoder is not ImageNetSliceEncoder query || memory_encoder is not ImageNetSliceEncoder memory)
            throw new InvalidOperationException($"this network's encoders are the small ones (backbone none); only the {ImageNetResNet18.Id} layout starts from ImageNet");
        using var imagenet = new ResNetBackbone(ImageNetResNet18.Depth, ImageNetResNet18.Width, ImageNetResNet18.Blocks);
        // LoadInto copies from temporary tensors it does not hold; TorchSharp's copy_ passes raw handles, so without a
        // scope holding them the finaliser could free one during the copy (a test host crashed in copy_ so).
        string sha;
        using (NewDisposeScope()) sha = ImageNetResNet18.LoadInto(imagenet, path);
        query.StartFrom(imagenet);
        memory.StartFrom(imagenet);
        return sha;
    }

    /// <summary>An encoder's stride-4 (C/2) and stride-8 (C) features of the slice (and the mask, for the memory encoder).</summary>
    private static (Tensor S4, Tensor S8) Encode(Module encoder, Tensor slice, Tensor? mask)
    {
        switch (encoder)
        {
            case ImageNetSliceEncoder resnet:
                return resnet.forward(slice, mask);
            case SliceEncoder small:
                using (var scope = NewDisposeScope())
                {
                    var (_, s4, s8) = small.forward(mask is null ? slice : cat([slice, mask], 1));
                    return (s4.MoveToOuterDisposeScope(), s8.MoveToOuterDisposeScope());
                }
            default:
                throw new InvalidOperationException($"unknown encoder {encoder.GetType().Name}");
        }
    }

    /// <summary>
    /// GroupNorm starts as the identity (weight 1, bias 0), as in PyTorch. TorchSharp 0.107 leaves GroupNorm's
    /// affine parameters uninitialised, which made the first forward pass NaN.
    /// </summary>
    internal static void ResetNorms(Module module)
    {
        using var _ = no_grad();
        foreach (var (_, m) in module.named_modules())
            if (m is GroupNorm norm)
            {
                norm.weight?.fill_(Scalars.Of(1));
                norm.bias?.zero_();
            }
    }

    /// <summary>f_In: (N,3,R,R) slice ROI, previous mask, guidance → (N,1,R,R) logits.</summary>
    public Tensor Interact(Tensor input) => f_in.forward(input);

    /// <summary>The memory encoder on (N,1,S,S) slices and (N,1,S,S) masks (probabilities or binary).</summary>
    public MemoryCell Memorize(Tensor slice, Tensor mask)
    {
        using var scope = NewDisposeScope();
        var (_, s8) = Encode(memory_encoder, slice, mask);
        var key = memory_key.forward(s8).MoveToOuterDisposeScope();
        var value = memory_value.forward(s8).MoveToOuterDisposeScope();
        return new MemoryCell(key, value);
    }

    /// <summary>
    /// f_Mem and f_QA for (N,1,S,S) query slices against T memory cells: S_k logits (N,1,S,S) and the predicted
    /// IoU (N).
    /// </summary>
    public (Tensor Logits, Tensor Quality) Segment(Tensor slice, IReadOnlyList<MemoryCell> memory)
    {
        using var scope = NewDisposeScope();
        var (f, logits) = Read(slice, memory);
        var quality = f_qa.forward(f, logits);
        return (logits.MoveToOuterDisposeScope(), quality.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// f_Mem alone: F_k (N,C,S/8,S/8), the memory read concatenated with the query value, and S_k logits
    /// (N,1,S,S) — what f_QA scores.
    /// </summary>
    public (Tensor Features, Tensor Logits) Read(Tensor slice, IReadOnlyList<MemoryCell> memory)
    {
        if (memory.Count == 0) throw new ArgumentException("the memory is empty; it needs at least the interactive slice");
        using var scope = NewDisposeScope();
        var (s4, s8) = Encode(query_encoder, slice, null);
        var keys = stack(memory.Select(m => m.Key).ToList(), 1);
        var values = stack(memory.Select(m => m.Value).ToList(), 1);
        var h = MemoryRead.Read(query_key.forward(s8), keys, values, Config.SimilarityScale);
        var f = cat([h, query_value.forward(s8)], 1);
        var logits = decoder.forward(f, s4, slice.shape[2]);
        return (f.MoveToOuterDisposeScope(), logits.MoveToOuterDisposeScope());
    }
}
