#!/usr/bin/python3
"""Runs the PyTorch reference of a SegBridge click model on one image and a click sequence.

  /usr/bin/python3 tools/torch/brs_reference.py --weights W.safetensors --image crop.png --clicks clicks.json \
      --method cgam --out logits.f32 [--threads 2] [--time]

clicks.json: [{"x": .., "y": .., "positive": true, "radius": 0}, ...] in image pixels (the image is used at its
size, no resize). Writes the logits after every click, concatenated, as little-endian float32 (clicks x H x W),
and prints seconds per click when --time is given. Used by the parity test and the SPC benchmark.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import click_network  # noqa: E402


def read_png_rgb(path):
    from skimage import io
    img = io.imread(path)
    if img.ndim == 2:
        img = np.stack([img] * 3, axis=-1)
    return img[..., :3].astype(np.uint8)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", required=True)
    ap.add_argument("--image", required=True)
    ap.add_argument("--clicks", required=True)
    ap.add_argument("--method", default="cgam", choices=["none", "f-brs", "g-brs", "cgam"])
    ap.add_argument("--out")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--time", action="store_true")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    net, wc, wm = click_network.load(args.weights)
    rgb = read_png_rgb(args.image)
    image = click_network.normalise(rgb)
    with open(args.clicks) as f:
        clicks = json.load(f)
    outputs, theta, seconds = [], None, []
    for k in range(1, len(clicks) + 1):
        start = time.perf_counter()
        logits, theta = click_network.predict(net, image, clicks[:k], args.method, theta, click_network.DEFAULT_SETTINGS, (wc, wm))
        seconds.append(time.perf_counter() - start)
        outputs.append(logits[0, 0].numpy().astype("<f4"))
    if args.out:
        np.stack(outputs).tofile(args.out)
    if args.time:
        print(json.dumps({"method": args.method, "secondsPerClick": seconds, "torch": torch.__version__, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
