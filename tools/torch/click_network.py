"""The SegBridge click network and BRS refinement in PyTorch: the reference the C# engine is checked against.

Parameter names match the engine's (and so its safetensors files) one for one. Written for Debian 12's
python3-torch (1.13, CPU). Mirrors src/SegBridge.Models.Torch: Networks/*.cs, Refinement/*.cs.
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
    def __init__(self, depth, width):
        super().__init__()
        bottleneck, blocks = {18: (False, [2, 2, 2, 2]), 34: (False, [3, 4, 6, 3]), 50: (True, [3, 4, 6, 3]), 101: (True, [3, 4, 23, 3])}[depth]
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

    def forward(self, x):
        y = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 3, 2, 1)
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


class ClickNetwork(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.dmf = nn.Sequential(nn.Conv2d(config.get("inputChannels", 5), 8, 1), nn.LeakyReLU(0.2), nn.BatchNorm2d(8), nn.Conv2d(8, 3, 1))
        self.backbone = Backbone(config["depth"], config["width"])
        self.aspp = Aspp(self.backbone.out_channels, config["asppChannels"])
        ll, dec = config["lowLevelChannels"], config["decoderChannels"]
        self.low_level = _branch(self.backbone.low_channels, ll, 1, 1)
        self.fuse = nn.Sequential(nn.Conv2d(config["asppChannels"] + ll, dec, 3, padding=1, bias=False), nn.BatchNorm2d(dec), nn.ReLU(),
                                  nn.Conv2d(dec, dec, 3, padding=1, bias=False), nn.BatchNorm2d(dec), nn.ReLU())
        self.classifier = nn.Conv2d(dec, 1, 1)

    def features(self, image, click_maps):
        x = image if click_maps is None else torch.cat([image, click_maps], 1)
        low, high = self.backbone(self.dmf(x))
        return self.low_level(low), self.aspp(high)

    def head(self, m, low, h, w):
        up = F.interpolate(m, size=low.shape[2:], mode="bilinear", align_corners=False)
        logits = self.classifier(self.fuse(torch.cat([up, low], 1)))
        return F.interpolate(logits, size=(h, w), mode="bilinear", align_corners=False)

    def forward(self, image, click_maps):
        low, m = self.features(image, click_maps)
        return self.head(m, low, image.shape[2], image.shape[3])


class Cgam(nn.Module):
    """CGAM eq. 3-4; psi starts at weight 0, bias 1 so alpha = 1."""

    def __init__(self, c, w_c, w_m):
        super().__init__()
        self.w_c = nn.Conv2d(2, c // 2, 1, bias=False)
        self.w_m = nn.Conv2d(c, c // 2, 1, bias=False)
        self.psi = nn.Conv2d(c // 2, c, 1, bias=True)
        with torch.no_grad():
            self.w_c.weight.copy_(w_c)
            self.w_m.weight.copy_(w_m)
            self.psi.weight.zero_()
            self.psi.bias.fill_(1.0)

    def forward(self, m, maps):
        return m * self.psi(F.relu(self.w_c(maps) + self.w_m(m)))


class Fbrs(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(1, c, 1, 1))
        self.bias = nn.Parameter(torch.zeros(1, c, 1, 1))

    def forward(self, m, maps):
        return m * self.scale + self.bias


class Gbrs(nn.Module):
    def __init__(self, c, h, w):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 1, bias=True)
        with torch.no_grad():
            self.conv.weight.copy_(torch.eye(c).reshape(c, c, 1, 1))
            self.conv.bias.zero_()
        self.bias_map = nn.Parameter(torch.zeros(1, 1, h, w))

    def forward(self, m, maps):
        return self.conv(m) + self.bias_map


def load(path):
    """Network (eval, frozen) and CGAM's starting W_C, W_m from a SegBridge weights file."""
    tensors, metadata = safetensors_io.read(path)
    config = json.loads(metadata["segbridge.clickNetwork"])
    net = ClickNetwork(config)
    state = {k: torch.from_numpy(v.astype(np.int64 if v.dtype == np.int64 else np.float32)) for k, v in tensors.items()}
    missing = [k for k in net.state_dict() if k not in state]
    if missing:
        raise KeyError(f"weights lack {missing[:5]}")
    net.load_state_dict({k: state[k] for k in net.state_dict()})
    net.eval()
    for p in net.parameters():
        p.requires_grad_(False)
    return net, state["cgam.w_c.weight"], state["cgam.w_m.weight"]


def normalise(rgb):
    """uint8 HxWx3 -> (1,3,H,W) float32, same arithmetic as the engine's ImageTensors.Normalised."""
    x = (rgb.astype(np.float32) / np.float32(255) - MEAN) / STD
    return torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1)[None]))


def click_maps(clicks, h, w, norm_radius):
    """tanh(2 d / R) per sign, computed in float64 then cast, as the engine's ClickEncoding."""
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64)
    maps = np.ones((1, 2, h, w), dtype=np.float32)
    for sign in (0, 1):
        own = [c for c in clicks if c["positive"] == (sign == 0)]
        if own:
            best = np.min([(xs - c["x"]) ** 2 + (ys - c["y"]) ** 2 for c in own], axis=0)
            maps[0, sign] = np.tanh(2 * np.sqrt(best) / norm_radius).astype(np.float32)
    return torch.from_numpy(maps)


def predict(net, image, clicks, method, theta, settings, cgam_start):
    """One click step: returns (logits, theta). Mirrors BrsPredictor.Predict."""
    h, w = image.shape[2], image.shape[3]
    maps = click_maps(clicks, h, w, net.config["clickNormRadius"])
    with torch.no_grad():
        low, m = net.features(image, maps)
    if method == "none" or not clicks:
        with torch.no_grad():
            return net.head(m, low, h, w), theta
    c = net.config["asppChannels"]
    refiner = {"cgam": lambda: Cgam(c, *cgam_start), "f-brs": lambda: Fbrs(c), "g-brs": lambda: Gbrs(c, m.shape[2], m.shape[3])}[method]()
    if theta is not None:
        with torch.no_grad():
            for p, t in zip(refiner.parameters(), theta):
                p.copy_(t)
    maps_m = F.interpolate(maps, size=m.shape[2:], mode="bilinear", align_corners=False)
    index = torch.tensor([int(round(cl["y"])) * w + int(round(cl["x"])) for cl in clicks])
    sign = torch.tensor([1.0 if cl["positive"] else -1.0 for cl in clicks])
    target = torch.tensor([1.0 if cl["positive"] else 0.0 for cl in clicks])
    newest = clicks[-1]
    r = newest.get("radius", 0) or settings["defaultClickRadius"]
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64)
    outside = torch.from_numpy((((xs - newest["x"]) ** 2 + (ys - newest["y"]) ** 2) > r * r).astype(np.float32)[None, None])
    with torch.no_grad():
        previous = torch.sigmoid(net.head(refiner(m, maps_m), low, h, w))
    opt = torch.optim.Adam(refiner.parameters(), lr=settings["learningRate"], betas=(settings["beta1"], settings["beta2"]))
    for _ in range(settings["iterations"]):
        opt.zero_grad()
        prob = torch.sigmoid(net.head(refiner(m, maps_m), low, h, w))
        at = prob.flatten().index_select(0, index)
        loss = F.relu(sign * (target - at)).pow(2).mean() + settings["lambda"] * (outside * (previous - prob)).pow(2).mean()
        loss.backward()
        opt.step()
    with torch.no_grad():
        logits = net.head(refiner(m, maps_m), low, h, w)
    return logits, [p.detach().clone() for p in refiner.parameters()]


DEFAULT_SETTINGS = {"iterations": 20, "learningRate": 0.05, "beta1": 0.9, "beta2": 0.999, "lambda": 1.0, "defaultClickRadius": 5.0}
