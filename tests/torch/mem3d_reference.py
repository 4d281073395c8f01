#!/usr/bin/python3
"""Mem3D (f_In, f_Mem, f_QA) in Debian's PyTorch, loading SegBridge's mem3d safetensors (same parameter names as
src/SegBridge.Models.Torch/Mem3D), and the same bidirectional propagation as Mem3DPropagator.cs: the reference
for the timing ratio (tests/benchmarks/mem3d_vs_pytorch.py) and for parity checks. Both layouts: the small
encoders (no "backbone" in the file's config: the shipped mem3d-brats) and f_Mem's encoders on the ImageNet ResNet-18
(backbone imagenet-resnet18, Mem3D/ImageNetSliceEncoder.cs).

    /usr/bin/python3 tests/torch/mem3d_reference.py --weights W.safetensors --volume FLAIR.nii.gz \
        --interactive MASK.npy --slice Z [--threads 1] [--out PRED.npy]

MASK.npy is the interactive slice's mask as (H, W) uint8 (row y, column x: SegBridge's slice layout). Prints one
JSON line: seconds, quality per slice, foreground per slice; --out saves the (D, H, W) uint8 prediction.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402
from click_network import BasicBlock  # noqa: E402  torchvision's block, as Shared/Networks/ResNetBackbone.cs

# ImageNetResNet18.BgrMean: the per-channel means (B, G, R) the ImageNet ResNet-18's 0-255 input has subtracted.
BGR_MEAN = (103.06262, 115.902885, 123.15163)
IMAGENET_ID = "imagenet-resnet18"


def groups(c):
    return min(8, c // 4)


class Named(nn.Sequential):
    """nn.Sequential with the C# names: conv, norm, relu."""

    def __init__(self, cin, cout, k=3, stride=1, dilation=1):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, stride=stride, padding=dilation * (k // 2), dilation=dilation, bias=False)
        self.norm = nn.GroupNorm(groups(cout), cout)
        self.relu = nn.ReLU()


class ResBlock(nn.Module):
    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.norm1 = nn.GroupNorm(groups(cout), cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.norm2 = nn.GroupNorm(groups(cout), cout)
        self.shortcut = None
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential()
            self.shortcut.add_module("conv", nn.Conv2d(cin, cout, 1, stride=stride, bias=False))
            self.shortcut.add_module("norm", nn.GroupNorm(groups(cout), cout))

    def forward(self, x):
        y = self.norm2(self.conv2(F.relu(self.norm1(self.conv1(x)))))
        return F.relu(y + (x if self.shortcut is None else self.shortcut(x)))


class SliceEncoder(nn.Module):
    def __init__(self, cin, c):
        super().__init__()
        self.stem = Named(cin, c // 4, 3, stride=2)
        self.stage1 = ResBlock(c // 4, c // 4)
        self.stage2 = ResBlock(c // 4, c // 2, 2)
        self.stage3 = ResBlock(c // 2, c, 2)

    def forward(self, x):
        s2 = self.stage1(self.stem(x))
        s4 = self.stage2(s2)
        return s2, s4, self.stage3(s4)


class ImageNetEncoder(nn.Module):
    """Mem3D/ImageNetSliceEncoder.cs: the ImageNet ResNet-18's stem, layer1, layer2 (frozen BatchNorm statistics:
    the network runs in eval mode here), the mask through a 7x7 stride-2 convolution added to the stem convolution's
    output (memory encoder), 1x1 conv + GroupNorm + ReLU projections to C/2 (stride 4) and C (stride 8)."""

    def __init__(self, c, reads_mask):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.layer1 = nn.Sequential(BasicBlock(64, 64, 1, 1, False), BasicBlock(64, 64, 1, 1, False))
        self.layer2 = nn.Sequential(BasicBlock(64, 128, 2, 1, True), BasicBlock(128, 128, 1, 1, False))
        self.mask_conv = nn.Conv2d(1, 64, 7, 2, 3, bias=False) if reads_mask else None
        self.project4 = Named(64, c // 2, 1)
        self.project8 = Named(128, c, 1)

    def forward(self, slice_, mask=None):
        bgr = slice_.expand(-1, 3, -1, -1) * 255.0 - torch.tensor(BGR_MEAN).view(1, 3, 1, 1)
        stem = self.conv1(bgr)
        if self.mask_conv is not None:
            stem = stem + self.mask_conv(mask * 255.0)
        s4 = self.layer1(F.max_pool2d(F.relu(self.bn1(stem)), 3, 2, 1))
        s8 = self.layer2(s4)
        return self.project4(s4), self.project8(s8)


def up(x, like):
    return F.interpolate(x, size=like.shape[2:], mode="bilinear", align_corners=False)


class InteractionNetwork(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.encoder = SliceEncoder(3, c)
        self.up4 = Named(c + c // 2, c // 2)
        self.up2 = Named(c // 2 + c // 4, c // 4)
        self.head = nn.Sequential()
        self.head.add_module("0", Named(c // 4 + 3, c // 4))
        self.head.add_module("1", nn.Conv2d(c // 4, 1, 1))

    def forward(self, x):
        s2, s4, s8 = self.encoder(x)
        y = self.up4(torch.cat([up(s8, s4), s4], 1))
        y = self.up2(torch.cat([up(y, s2), s2], 1))
        return self.head(torch.cat([up(y, x), x], 1))


class Decoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        h = c // 2
        self.b1 = Named(c, h, 1)
        self.d2 = Named(c, h, dilation=2)
        self.d4 = Named(c, h, dilation=4)
        self.d8 = Named(c, h, dilation=8)
        self.project = Named(4 * h, h, 1)
        self.refine = ResBlock(h + c // 2, h)
        self.logits = nn.Conv2d(h, 1, 1)

    def forward(self, f, s4, size):
        y = self.project(torch.cat([self.b1(f), self.d2(f), self.d4(f), self.d8(f)], 1))
        y = self.refine(torch.cat([up(y, s4), s4], 1))
        return F.interpolate(self.logits(y), size=(size, size), mode="bilinear", align_corners=False)


class QualityHead(nn.Module):
    def __init__(self, c):
        super().__init__()
        h = c // 2
        self.convs = nn.Sequential()
        self.convs.add_module("0", Named(c + 1, h))
        self.convs.add_module("1", Named(h, h, stride=2))
        self.convs.add_module("2", Named(h, h, stride=2))
        self.convs.add_module("pool", nn.AdaptiveAvgPool2d(4))
        self.fc = nn.Sequential(nn.Linear(h * 16, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, f, logits):
        s = F.interpolate(torch.sigmoid(logits), size=f.shape[2:], mode="bilinear", align_corners=False)
        return torch.sigmoid(self.fc(self.convs(torch.cat([f, s], 1)).flatten(1))).reshape(-1)


class Mem3D(nn.Module):
    def __init__(self, config):
        super().__init__()
        c = config["channels"]
        self.config = config
        self.f_in = InteractionNetwork(c)
        backbone = config.get("backbone")
        if backbone not in (None, IMAGENET_ID):
            raise SystemExit(f"unknown Mem3D backbone {backbone!r}")
        self.imagenet = backbone == IMAGENET_ID
        self.query_encoder = ImageNetEncoder(c, False) if self.imagenet else SliceEncoder(1, c)
        self.memory_encoder = ImageNetEncoder(c, True) if self.imagenet else SliceEncoder(2, c)
        self.query_key = nn.Conv2d(c, c // 8, 3, padding=1)
        self.query_value = nn.Conv2d(c, c // 2, 3, padding=1)
        self.memory_key = nn.Conv2d(c, c // 8, 3, padding=1)
        self.memory_value = nn.Conv2d(c, c // 2, 3, padding=1)
        self.decoder = Decoder(c)
        self.f_qa = QualityHead(c)

    def memorize(self, slice_, mask):
        s8 = self.memory_encoder(slice_, mask)[1] if self.imagenet else self.memory_encoder(torch.cat([slice_, mask], 1))[2]
        return self.memory_key(s8), self.memory_value(s8)

    def segment(self, slice_, memory):
        s4, s8 = self.query_encoder(slice_) if self.imagenet else self.query_encoder(slice_)[1:]
        qk = self.query_key(s8)
        n, ck, h, w = qk.shape
        keys = torch.stack([m[0] for m in memory], 1)      # N,T,Ck,h,w
        values = torch.stack([m[1] for m in memory], 1)
        q = F.normalize(qk.reshape(n, ck, -1), p=2, dim=1)
        mk = F.normalize(keys.transpose(1, 2).reshape(n, ck, -1), p=2, dim=1)
        weights = (torch.matmul(mk.transpose(1, 2), q) * self.config["similarityScale"]).softmax(1)
        cv = values.shape[2]
        read = torch.matmul(values.transpose(1, 2).reshape(n, cv, -1), weights).reshape(n, cv, h, w)
        f = torch.cat([read, self.query_value(s8)], 1)
        logits = self.decoder(f, s4, slice_.shape[2])
        return logits, self.f_qa(f, logits)


def load(path):
    tensors, metadata = safetensors_io.read(path)
    config = json.loads(metadata["segbridge.mem3d"])
    net = Mem3D(config)
    state = net.state_dict()
    missing = [k for k in state if k not in tensors]
    if missing:
        raise SystemExit(f"{path}: missing {missing[:5]}")
    net.load_state_dict({k: torch.from_numpy(tensors[k].astype(np.float32)) for k in state})
    net.eval()
    return net


def display_window(values):
    """SegBridge's VolumeWindow: 0.5th/99.5th percentiles of finite values sampled on a fixed stride (≤ 2^20)."""
    flat = values.reshape(-1, order="F")  # voxel order x fastest, as the file stores it
    n = flat.size
    stride = max(1, (n + (1 << 20) - 1) // (1 << 20))
    samples = flat[::stride].astype(np.float64)
    samples = np.sort(samples[np.isfinite(samples)])
    if samples.size == 0:
        return 0.0, 1.0

    def pct(p):
        rank = p / 100 * (samples.size - 1)
        lo = int(math.floor(rank))
        hi = min(lo + 1, samples.size - 1)
        return samples[lo] + (samples[hi] - samples[lo]) * (rank - lo)
    return pct(0.5), pct(99.5)


def normalised_slices(path):
    import nibabel as nib
    data = np.asarray(nib.load(path).get_fdata(dtype=np.float32))  # (W, H, D) = (i, j, k)
    low, high = display_window(data)
    scale = 1.0 / (high - low) if high > low else 0.0
    vol = np.clip((data - low) * scale, 0, 1)
    vol[np.isnan(vol)] = 0
    return np.ascontiguousarray(vol.transpose(2, 1, 0)).astype(np.float32)  # (D, H, W), row y, column x


def small(plane, size):
    return F.interpolate(torch.from_numpy(plane)[None, None], size=(size, size), mode="bilinear", align_corners=False)


@torch.no_grad()
def propagate(net, slices, interactive, start, every=5):
    d, h, w = slices.shape
    size = net.config["sliceSize"]
    masks = {z: small(m.astype(np.float32), size) for z, m in interactive.items()}
    cells = [net.memorize(small(slices[z], size), masks[z]) for z in sorted(interactive)]
    pred = np.zeros((d, h, w), np.uint8)
    quality = np.zeros(d, np.float32)
    for z, m in interactive.items():
        pred[z] = m
        quality[z] = 1
    for step in (1, -1):
        prev_slice, prev_mask, prev_interactive = small(slices[start], size), masks[start], True
        extra, propagated = [], 0
        z = start + step
        while 0 <= z < d:
            s = small(slices[z], size)
            if z in interactive:
                prev_slice, prev_mask, prev_interactive = s, masks[z], True
                z += step
                continue
            memory = list(cells)
            if not prev_interactive:
                memory.append(net.memorize(prev_slice, prev_mask))
            memory += extra
            logits, q = net.segment(s, memory)
            full = F.interpolate(logits, size=(h, w), mode="bilinear", align_corners=False)
            pred[z] = (full[0, 0] > 0).numpy().astype(np.uint8)
            quality[z] = float(q[0])
            prob = torch.sigmoid(logits)
            propagated += 1
            if propagated % every == 0:
                extra.append(net.memorize(s, prob))
            prev_slice, prev_mask, prev_interactive = s, prob, False
            z += step
    return pred, quality


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", required=True)
    ap.add_argument("--volume", required=True)
    ap.add_argument("--interactive", required=True, help="the interactive slice's mask: (H, W) uint8 .npy, or raw bytes (row-major H*W)")
    ap.add_argument("--slice", type=int, required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--out")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    net = load(args.weights)
    slices = normalised_slices(args.volume)
    if args.interactive.endswith(".npy"):
        mask = np.load(args.interactive).astype(np.uint8)
    else:  # raw bytes, one per pixel, row-major (H, W)
        mask = np.fromfile(args.interactive, np.uint8).reshape(slices.shape[1], slices.shape[2])
    times = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        pred, quality = propagate(net, slices, {args.slice: mask}, args.slice)
        times.append(time.perf_counter() - t)
    if args.out:
        np.save(args.out, pred)
    print(json.dumps({"seconds": times, "torch": torch.__version__, "threads": torch.get_num_threads(),
                      "quality": [round(float(q), 4) for q in quality],
                      "foreground": [int(p.sum()) for p in pred]}))


if __name__ == "__main__":
    main()
