#!/usr/bin/python3
"""Draws examples/tissue.png: a synthetic H&E-like patch (pink stroma, purple glands with pale lumens).

SegBridge ships this instead of real data so the set-up demo runs on a fresh clone. Deterministic
(seeded); run with Debian's /usr/bin/python3 (python3-numpy, python3-skimage for the PNG writer).
"""
import numpy as np
from skimage import filters, io

rng = np.random.default_rng(7)
h, w = 256, 320
yy, xx = np.mgrid[0:h, 0:w]
stroma = np.stack([232, 170, 200], axis=-1) * np.ones((h, w, 1))
image = stroma + rng.normal(0, 10, (h, w, 3))
for cy, cx, ry, rx in [(90, 110, 55, 70), (185, 245, 45, 50), (200, 70, 30, 35)]:
    d = ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2
    wall = (d <= 1.0) & (d > 0.35)
    lumen = d <= 0.35
    image[wall] = [150, 80, 170] + rng.normal(0, 12, (wall.sum(), 3))
    image[lumen] = [245, 230, 240] + rng.normal(0, 6, (lumen.sum(), 3))
image = filters.gaussian(np.clip(image, 0, 255) / 255, sigma=1.2, channel_axis=-1)
io.imsave("tissue.png", (image * 255).astype(np.uint8), check_contrast=False)
