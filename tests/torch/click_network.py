"""The SegBridge click network and BRS refinement in PyTorch: the reference the C# engine is checked against.

Parameter names match the engine's (and so its safetensors files) one for one. Written for Debian 12's
python3-torch (1.13, CPU). Mirrors src/SegBridge.Models.Torch: Shared/Networks/{ClickNetwork, ResNetBackbone,
ImageNetResNet18, Aspp}.cs and Brs/{BrsPredictor, CgamRefiner, FbrsRefiner, GbrsRefiner, RefinementLoss,
RefinerState, ClickRegions, ClickEncoding}.cs. Where the engine takes a float constant (ImageNet mean/std, the
BGR mean) the same float32 value is used here, so a float64 run sees the same numbers.
"""
import json
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import safetensors_io

MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)
# ImageNetResNet18.BgrMean (B, G, R), float32 as in the engine.
BGR_MEAN = np.array([103.06262, 115.902885, 123.15163], dtype=np.float32)

IMAGENET_RESNET18 = "imagenet-resnet18"
IMAGENET_BLOCKS = [2, 2, 2, 3]
CONFIG_KEY = "segbridge.clickNetwork"
CGAM_PREFIX = "cgam."
# CgamRefiner.StartNames
CGAM_START_NAMES = ["w_c.weight", "w_c.bias", "w_m.weight", "w_m.bias", "psi.weight", "psi.bias", "norm.weight", "norm.bias"]


class BasicBlock(nn.Module):
    def __init__(self, inplanes, planes, stride, dilation, project):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, dilation, dilation, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, dilation, dilation, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes)) if project else None

    def forward(self, x):
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(y + (x if self.downsample is None else self.downsample(x)))


class Bottleneck(nn.Module):
    def __init__(self, inplanes, planes, stride, dilation, project):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, dilation, dilation, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes * 4, 1, stride, bias=False), nn.BatchNorm2d(planes * 4)) if project else None

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = F.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        return F.relu(y + (x if self.downsample is None else self.downsample(x)))


class Backbone(nn.Module):
    """ResNetBackbone: torchvision names, last stage dilated (output stride 16); blocks overrides the depth's counts."""

    def __init__(self, depth, width, blocks=None):
        super().__init__()
        bottleneck, depth_blocks = {18: (False, [2, 2, 2, 2]), 34: (False, [3, 4, 6, 3]), 50: (True, [3, 4, 6, 3]), 101: (True, [3, 4, 23, 3])}[depth]
        blocks = blocks or depth_blocks
        expansion = 4 if bottleneck else 1
        self.conv1 = nn.Conv2d(3, width, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.inplanes = width
        self.layer1 = self._layer(width, blocks[0], 1, 1, bottleneck)
        self.layer2 = self._layer(width * 2, blocks[1], 2, 1, bottleneck)
        self.layer3 = self._layer(width * 4, blocks[2], 2, 1, bottleneck)
        self.layer4 = self._layer(width * 8, blocks[3], 1, 2, bottleneck)
        self.low_channels = width * expansion
        self.out_channels = width * 8 * expansion

    def _layer(self, planes, count, stride, dilation, bottleneck):
        expansion = 4 if bottleneck else 1
        layers = []
        for i in range(count):
            s = stride if i == 0 else 1
            project = i == 0 and (s != 1 or self.inplanes != planes * expansion)
            layers.append((Bottleneck if bottleneck else BasicBlock)(self.inplanes, planes, s, dilation, project))
            self.inplanes = planes * expansion
        return nn.Sequential(*layers)

    def forward(self, x, stem_addition=None):
        """ResNetBackbone.Forward: stem_addition (N, width, H/2, W/2) is added to the stem convolution's output before its norm."""
        stem = self.conv1(x)
        if stem_addition is not None:
            stem = stem + stem_addition
        y = F.max_pool2d(F.relu(self.bn1(stem)), 3, 2, 1)
        low = self.layer1(y)
        return low, self.layer4(self.layer3(self.layer2(low)))


def _branch(cin, cout, k, rate):
    return nn.Sequential(nn.Conv2d(cin, cout, k, padding=0 if k == 1 else rate, dilation=rate, bias=False), nn.BatchNorm2d(cout), nn.ReLU())


class Aspp(nn.Module):
    def __init__(self, cin, c):
        super().__init__()
        self.b0 = _branch(cin, c, 1, 1)
        self.b1 = _branch(cin, c, 3, 6)
        self.b2 = _branch(cin, c, 3, 12)
        self.b3 = _branch(cin, c, 3, 18)
        self.pool = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(cin, c, 1, bias=False), nn.BatchNorm2d(c), nn.ReLU())
        self.project = _branch(5 * c, c, 1, 1)

    def forward(self, x):
        pooled = self.pool(x).expand(-1, -1, x.shape[2], x.shape[3])
        return self.project(torch.cat([self.b0(x), self.b1(x), self.b2(x), self.b3(x), pooled], 1))


def from_normalized_rgb(rgb):
    """ImageNetResNet18.FromNormalizedRgb: the engine's RGB mean/std tensor back to 0-255, as BGR minus the BGR mean."""
    channels = []
    for bgr in range(3):
        c = 2 - bgr
        channels.append((rgb[:, c:c + 1] * float(STD[c]) + float(MEAN[c])) * 255.0 - float(BGR_MEAN[bgr]))
    return torch.cat(channels, 1)


class ClickNetwork(nn.Module):
    """ClickNetwork: the f-BRS distance-maps fusion (dmf) layout, or with "backbone": "imagenet-resnet18" the ImageNet
    ResNet-18 layout ([2, 2, 2, 3] at width 64, the click maps through a 7x7/2 `guidance` conv added to the stem)."""

    def __init__(self, config):
        super().__init__()
        self.config = config
        cin = config.get("inputChannels", 5)
        self.imagenet = config.get("backbone") == IMAGENET_RESNET18
        if self.imagenet:
            self.backbone = Backbone(config["depth"], config["width"], IMAGENET_BLOCKS)
            if cin > 3:
                self.guidance = nn.Conv2d(cin - 3, config["width"], 7, 2, 3, bias=False)
                with torch.no_grad():
                    self.guidance.weight.zero_()
        else:
            if config.get("backbone") is not None:
                raise ValueError(f"backbone is '{config['backbone']}'; allowed: none, {IMAGENET_RESNET18}")
            self.dmf = nn.Sequential(nn.Conv2d(cin, 8, 1), nn.LeakyReLU(0.2), nn.BatchNorm2d(8), nn.Conv2d(8, 3, 1))
            self.backbone = Backbone(config["depth"], config["width"])
        self.aspp = Aspp(self.backbone.out_channels, config["asppChannels"])
        ll, dec = config["lowLevelChannels"], config["decoderChannels"]
        self.low_level = _branch(self.backbone.low_channels, ll, 1, 1)
        self.fuse = nn.Sequential(nn.Conv2d(config["asppChannels"] + ll, dec, 3, padding=1, bias=False), nn.BatchNorm2d(dec), nn.ReLU(),
                                  nn.Conv2d(dec, dec, 3, padding=1, bias=False), nn.BatchNorm2d(dec), nn.ReLU())
        self.classifier = nn.Conv2d(dec, 1, 1)

    @property
    def input_channels(self):
        return self.config.get("inputChannels", 5)

    def features(self, image, click_maps=None):
        """g: (low-level projection at stride 4, ASPP output m at stride 16)."""
        if self.imagenet:
            addition = None if click_maps is None else self.guidance(click_maps)
            low, high = self.backbone(from_normalized_rgb(image), addition)
        else:
            low, high = self.backbone(self.dmf(image if click_maps is None else torch.cat([image, click_maps], 1)))
        return self.low_level(low), self.aspp(high)

    def head(self, m, low, h, w):
        """h: the decoder proper."""
        up = F.interpolate(m, size=low.shape[2:], mode="bilinear", align_corners=False)
        logits = self.classifier(self.fuse(torch.cat([up, low], 1)))
        return F.interpolate(logits, size=(h, w), mode="bilinear", align_corners=False)

    def forward(self, image, click_maps=None):
        low, m = self.features(image, click_maps)
        return self.head(m, low, image.shape[2], image.shape[3])


class Cgam(nn.Module):
    """CgamRefiner: alpha = IN_affine(psi(relu(W_m m + W_C C_d))), m_hat = m * alpha; theta_0 from the weights file."""

    def __init__(self, c, start):
        super().__init__()
        self.w_c = nn.Conv2d(2, c // 2, 1)
        self.w_m = nn.Conv2d(c, c // 2, 1)
        self.psi = nn.Conv2d(c // 2, c, 1)
        self.norm = nn.InstanceNorm2d(c, affine=True)
        with torch.no_grad():
            for name, target in self.state_dict().items():
                if name not in start:
                    raise KeyError(f"CGAM's theta_0 has no '{name}'")
                target.copy_(start[name])

    def forward(self, m, disks):
        return m * self.norm(self.psi(F.relu(self.w_m(m) + self.w_c(disks))))


class Fbrs(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(1, c, 1, 1))
        self.bias = nn.Parameter(torch.zeros(1, c, 1, 1))

    def forward(self, m, disks):
        return m * self.scale + self.bias


class Gbrs(nn.Module):
    def __init__(self, c, h, w):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 1, bias=True)
        with torch.no_grad():
            self.conv.weight.copy_(torch.eye(c).reshape(c, c, 1, 1))
            self.conv.bias.zero_()
        self.bias_map = nn.Parameter(torch.zeros(1, 1, h, w))

    def forward(self, m, disks):
        return self.conv(m) + self.bias_map


def load(path, dtype=torch.float32):
    """ClickModelWeights.Load: (network in eval mode, frozen, in dtype; CGAM's theta_0 as float32 tensors by
    CGAM_START_NAMES, None for a guide network; the metadata). A 5-channel file without all eight theta_0
    tensors is refused, as the engine refuses it."""
    tensors, metadata = safetensors_io.read(path)
    if CONFIG_KEY not in metadata:
        raise KeyError(f"{path} has no '{CONFIG_KEY}' metadata, so the network shape is unknown")
    config = json.loads(metadata[CONFIG_KEY])
    net = ClickNetwork(config)
    state = {k: torch.from_numpy(v.astype(np.int64 if v.dtype == np.int64 else np.float32)) for k, v in tensors.items()}
    for k, target in net.state_dict().items():
        if k not in state:
            raise KeyError(f"{path} has no tensor '{k}' needed by the network")
        if tuple(state[k].shape) != tuple(target.shape):
            raise ValueError(f"{path}: '{k}' has shape {tuple(state[k].shape)}, the network needs {tuple(target.shape)}")
    net.load_state_dict({k: state[k] for k in net.state_dict()})
    net.to(dtype)
    net.eval()
    for p in net.parameters():
        p.requires_grad_(False)
    start = None
    if net.input_channels == 5:
        missing = [CGAM_PREFIX + n for n in CGAM_START_NAMES if CGAM_PREFIX + n not in state]
        if missing:
            raise KeyError(f"{path} lacks CGAM's theta_0 tensors {', '.join(missing)}"
                           + (" (a file from before CGAM followed its authors' module, which holds only W_C and W_m;"
                              " tests/torch/upgrade_cgam_start.py adds the rest)" if len(missing) == 6 else ""))
        start = {n: state[CGAM_PREFIX + n] for n in CGAM_START_NAMES}
    return net, start, metadata


def new_cgam_start(channels, seed):
    """theta_0 drawn as CgamRefiner.NewStart does in kind (uniform weights and biases, bound 1/sqrt(fan_in); IN's
    scale 0 and shift 1 so alpha starts at one), from a torch generator; the values differ from the engine's draw."""
    generator = torch.Generator().manual_seed(seed)
    half = channels // 2

    def uniform(shape, fan_in):
        return (torch.rand(*shape, generator=generator) * 2 - 1) / math.sqrt(fan_in)

    return {
        "w_c.weight": uniform([half, 2, 1, 1], 2), "w_c.bias": uniform([half], 2),
        "w_m.weight": uniform([half, channels, 1, 1], channels), "w_m.bias": uniform([half], channels),
        "psi.weight": uniform([channels, half, 1, 1], half), "psi.bias": uniform([channels], half),
        "norm.weight": torch.zeros(channels), "norm.bias": torch.ones(channels),
    }


def normalise(rgb):
    """uint8 HxWx3 -> (1,3,H,W) float32, same arithmetic as the engine's ImageTensors.Normalised."""
    x = (rgb.astype(np.float32) / np.float32(255) - MEAN) / STD
    return torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1)[None]))


def click_maps(clicks, h, w, norm_radius):
    """ClickEncoding: tanh(2 d / R) per sign, computed in float64 then cast to float32."""
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64)
    maps = np.ones((1, 2, h, w), dtype=np.float32)
    for sign in (0, 1):
        own = [c for c in clicks if c["positive"] == (sign == 0)]
        if own:
            best = np.min([(xs - c["x"]) ** 2 + (ys - c["y"]) ** 2 for c in own], axis=0)
            maps[0, sign] = np.tanh(2 * np.sqrt(best) / norm_radius).astype(np.float32)
    return torch.from_numpy(maps)


def _centre(c):
    # Math.Round and Python's round both round half to even.
    return int(round(c["x"])), int(round(c["y"]))


def click_squares(clicks, h, w):
    """ClickRegions.Squares: 1 on the 3x3 square around each positive / negative click, (1,1,H,W) each."""
    positive, negative = np.zeros((1, 1, h, w), np.float32), np.zeros((1, 1, h, w), np.float32)
    for c in clicks:
        cx, cy = _centre(c)
        target = positive if c["positive"] else negative
        target[0, 0, max(0, cy - 1):min(h - 1, cy + 1) + 1, max(0, cx - 1):min(w - 1, cx + 1) + 1] = 1
    return torch.from_numpy(positive), torch.from_numpy(negative)


def click_disks(clicks, radius, h, w):
    """ClickRegions.Disks: each click's disk (centre rounded, radius(c)), positive channel 0, negative 1."""
    maps = np.zeros((1, 2, h, w), np.float32)
    ys, xs = np.mgrid[0:h, 0:w]
    for c in clicks:
        cx, cy = _centre(c)
        r = radius(c)
        inside = ((xs - cx) ** 2 + (ys - cy) ** 2).astype(np.float64) <= r * r
        maps[0, 0 if c["positive"] else 1][inside] = 1
    return torch.from_numpy(maps)


def outside_disk(click, r, h, w):
    """ClickRegions.OutsideDisk: M of eq. 2, 1 outside the (unrounded) click's disk."""
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64)
    return torch.from_numpy((((xs - click["x"]) ** 2 + (ys - click["y"]) ** 2) > r * r).astype(np.float32)[None, None])


def probability_loss(prob, index, sign, target, previous, outside, lam):
    """RefinementLoss.Probability (f-BRS)."""
    at = prob.flatten().index_select(0, index)
    click_term = F.relu(sign * (target - at)).pow(2).mean()
    keep_term = (outside * (previous - prob)).pow(2).mean()
    return click_term + lam * keep_term


def hinge_loss(logits, positive, negative, previous, outside, lam):
    """RefinementLoss.Hinge (CGAM, G-BRS): (loss, every click pixel within 0.8 of its margin)."""
    eps, stop_below = 1e-5, 0.8
    positive_miss = F.relu((1 - logits) * positive)
    negative_miss = F.relu((1 + logits) * negative)
    click_term = positive_miss.pow(2).sum() / (positive.sum() + eps) + negative_miss.pow(2).sum() / (negative.sum() + eps)
    keep_term = ((logits - previous) * outside).pow(2).mean()
    with torch.no_grad():
        satisfied = max(float(positive_miss.max()), float(negative_miss.max())) < stop_below
    return click_term + lam * keep_term, satisfied


class Session:
    """BrsPredictor.Predict called click after click with the state carried, as the CGAM authors' code runs a
    session: the first OPTIMIZE_AFTER clicks are a plain pass; at the first refined click the refiner is built
    from theta_0 together with one torch.optim.Adam, and both objects live on for the rest of the session (its
    moments and step count carry over). g sees at most netClicksLimit clicks (all of them for method none)."""

    def __init__(self, net, method, settings=None, cgam_start=None):
        if method not in ("none", "f-brs", "g-brs", "cgam"):
            raise ValueError(f"method '{method}' is not one of none, f-brs, g-brs, cgam")
        if method == "cgam" and cgam_start is None:
            raise ValueError("CGAM needs its theta_0 (the weights file's cgam.* tensors)")
        self.net, self.method, self.cgam_start = net, method, cgam_start
        self.settings = {**DEFAULT_SETTINGS, **(settings or {})}
        self.dtype = next(net.parameters()).dtype
        self.refiner = None
        self.optimizer = None
        self.steps = []  # Adam steps taken at each click (0 for a plain pass)

    def _radius(self, c):
        return c.get("radius", 0) or self.settings["defaultClickRadius"]

    def predict(self, image, clicks):
        """Logits (1,1,H,W) after these clicks (every click so far, the newest last)."""
        s, net, dtype = self.settings, self.net, self.dtype
        h, w = image.shape[2], image.shape[3]
        seen = clicks if self.method == "none" else clicks[:s["netClicksLimit"]]
        with torch.no_grad():
            low, m = net.features(image.to(dtype), click_maps(seen, h, w, net.config["clickNormRadius"]).to(dtype))
        if self.method == "none" or len(clicks) <= s["optimizeAfterClicks"]:
            self.steps.append(0)
            with torch.no_grad():
                return net.head(m, low, h, w)

        if self.refiner is None:
            c = net.config["asppChannels"]
            self.refiner = {"cgam": lambda: Cgam(c, self.cgam_start), "f-brs": lambda: Fbrs(c), "g-brs": lambda: Gbrs(c, m.shape[2], m.shape[3])}[self.method]()
            self.refiner.to(dtype)
            self.optimizer = torch.optim.Adam(self.refiner.parameters(), lr=s["learningRate"], betas=(s["beta1"], s["beta2"]), eps=1e-8)
        refiner, opt = self.refiner, self.optimizer

        if self.method == "cgam":
            disks = click_disks(clicks, self._radius, h, w).to(dtype)
            hm, wm = m.shape[2], m.shape[3]
            kernel = max(1, int(round(h / hm)))
            disks = F.max_pool2d(disks, kernel, kernel)
            dy, dx = hm - disks.shape[2], wm - disks.shape[3]
            if dy or dx:
                disks = F.pad(disks, [dx // 2, dx - dx // 2, dy // 2, dy - dy // 2])
        else:
            disks = torch.zeros(1, 2, m.shape[2], m.shape[3], dtype=dtype)
        outside = outside_disk(clicks[-1], self._radius(clicks[-1]), h, w).to(dtype)
        for c in clicks:
            cx, cy = _centre(c)
            if not (0 <= cx < w and 0 <= cy < h):
                raise ValueError(f"click ({c['x']:.1f}, {c['y']:.1f}) is outside the {w}x{h} network input")
        index = torch.tensor([_centre(c)[1] * w + _centre(c)[0] for c in clicks])
        sign = torch.tensor([1.0 if c["positive"] else -1.0 for c in clicks], dtype=torch.float32).to(dtype)
        target = torch.tensor([1.0 if c["positive"] else 0.0 for c in clicks], dtype=torch.float32).to(dtype)
        positive, negative = click_squares(clicks, h, w)
        positive, negative = positive.to(dtype), negative.to(dtype)

        before, taken = None, 0
        for _ in range(s["iterations"]):
            opt.zero_grad()
            logits = net.head(refiner(m, disks), low, h, w)
            # The keep term compares with the logits theta gave as this click began (the first step's).
            if before is None:
                before = logits.detach().clone()
            if self.method == "f-brs":
                loss = probability_loss(torch.sigmoid(logits), index, sign, target, torch.sigmoid(before), outside, s["lambda"])
                satisfied = False
            else:
                loss, satisfied = hinge_loss(logits, positive, negative, before, outside, s["lambda"])
            loss.backward()
            opt.step()
            taken += 1
            # The authors step once more on the iteration that finds every click satisfied, then stop.
            if satisfied and s["earlyStop"]:
                break
        self.steps.append(taken)
        with torch.no_grad():
            return net.head(refiner(m, disks), low, h, w)


DEFAULT_SETTINGS = {"iterations": 20, "learningRate": 0.05, "beta1": 0.9, "beta2": 0.999, "lambda": 1.0, "defaultClickRadius": 5.0,
                    "optimizeAfterClicks": 1, "netClicksLimit": 8, "earlyStop": True}
