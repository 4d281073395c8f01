#!/usr/bin/python3
"""Runs the PyTorch reference of a SegBridge click model on one image and a click sequence, as one session.

  /usr/bin/python3 tests/torch/brs_reference.py --weights W.safetensors --image crop.png --clicks clicks.json \
      --method cgam --out logits.f32 [--double] [--threads 2] [--time]

clicks.json: [{"x": .., "y": .., "positive": true, "radius": 0}, ...] in image pixels (the image is used at its
size, no resize). The clicks are given one after another to one click_network.Session (the first is a plain
pass; the refiner and its Adam persist from the second on). Writes the logits after every click, concatenated,
as little-endian float32 (clicks x H x W), or float64 with --double, which runs network and refinement in
float64. Prints one JSON line: the method, the Adam steps taken at each click, seconds per click (with --time;
else null), the torch version and thread count. Used by the parity test and the SPC benchmark.
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
    ap.add_argument("--double", action="store_true", help="run network and refinement in float64 (and write float64 logits)")
    ap.add_argument("--iterations", type=int, default=click_network.DEFAULT_SETTINGS["iterations"])
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--time", action="store_true")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    dtype = torch.float64 if args.double else torch.float32
    net, start, _ = click_network.load(args.weights, dtype)
    image = click_network.normalise(read_png_rgb(args.image)).to(dtype)
    with open(args.clicks) as f:
        clicks = json.load(f)
    session = click_network.Session(net, args.method, {"iterations": args.iterations}, start)
    outputs, seconds = [], []
    for k in range(1, len(clicks) + 1):
        begin = time.perf_counter()
        logits = session.predict(image, clicks[:k])
        seconds.append(time.perf_counter() - begin)
        outputs.append(logits[0, 0].numpy().astype("<f8" if args.double else "<f4"))
    if args.out:
        np.stack(outputs).tofile(args.out)
    print(json.dumps({"method": args.method, "dtype": str(dtype).replace("torch.", ""), "steps": session.steps,
                      "secondsPerClick": seconds if args.time else None, "torch": torch.__version__, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
