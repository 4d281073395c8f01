#!/usr/bin/python3
"""Adds the six CGAM theta_0 tensors that a click weights file from before CGAM followed its authors' module lacks.

  /usr/bin/python3 tests/torch/upgrade_cgam_start.py plugin-manifests/weights/click-hist.safetensors [--seed 1] [--out NEW]

Such a file holds only cgam.w_c.weight and cgam.w_m.weight (bias-free W_C and W_m); the engine's CGAM now needs
all of CgamRefiner.StartNames. Keeps W_C and W_m and every other tensor and metadata entry as stored (a float16
file stays float16: its values are rewritten unchanged), and adds, drawn from torch.Generator(seed) in this
order, as PyTorch draws Conv2d biases and CgamRefiner.NewStart draws its values: cgam.w_c.bias
U(+-1/sqrt(2)), cgam.w_m.bias U(+-1/sqrt(c)), cgam.psi.weight and cgam.psi.bias U(+-1/sqrt(c/2)),
cgam.norm.weight 0 and cgam.norm.bias 1 (so alpha starts at exactly one). Records what it added under the
metadata key segbridge.cgamStartUpgrade. Rewrites the file in place unless --out is given; prints the sha256 to
put in the manifests. A file that already has all eight is left alone.
"""
import argparse
import hashlib
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import click_network  # noqa: E402
import safetensors_io  # noqa: E402

OLD = ["w_c.weight", "w_m.weight"]


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("weights")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", help="write here instead of rewriting WEIGHTS")
    args = ap.parse_args()

    tensors, metadata = safetensors_io.read(args.weights)
    config = json.loads(metadata[click_network.CONFIG_KEY])
    if config.get("inputChannels", 5) != 5:
        sys.exit(f"{args.weights} is not a click network (inputChannels {config.get('inputChannels')}); it has no CGAM theta_0")
    present = [n for n in click_network.CGAM_START_NAMES if click_network.CGAM_PREFIX + n in tensors]
    if len(present) == len(click_network.CGAM_START_NAMES):
        print(f"{args.weights} already holds all of CGAM's theta_0; unchanged", file=sys.stderr)
        print(sha256(args.weights))
        return
    if present != OLD:
        sys.exit(f"{args.weights} holds theta_0 tensors {present}; expected the old pair {OLD} (or all eight)")

    c = config["asppChannels"]
    half = c // 2
    if tensors["cgam.w_m.weight"].shape != (half, c, 1, 1) or tensors["cgam.w_c.weight"].shape != (half, 2, 1, 1):
        sys.exit(f"{args.weights}: W_C / W_m shapes do not fit asppChannels {c}")
    floats = {str(v.dtype) for v in tensors.values() if np.issubdtype(v.dtype, np.floating)}
    if len(floats) != 1 or floats.pop() not in ("float16", "float32"):
        sys.exit(f"{args.weights}: mixed floating dtypes; this tool keeps one")
    half_precision = tensors["cgam.w_m.weight"].dtype == np.float16

    generator = torch.Generator().manual_seed(args.seed)

    def uniform(shape, fan_in):
        return ((torch.rand(*shape, generator=generator) * 2 - 1) / fan_in ** 0.5).numpy()

    added = {
        "w_c.bias": uniform([half], 2),
        "w_m.bias": uniform([half], c),
        "psi.weight": uniform([c, half, 1, 1], half),
        "psi.bias": uniform([c], half),
        "norm.weight": np.zeros(c, np.float32),
        "norm.bias": np.ones(c, np.float32),
    }
    for name, value in added.items():
        tensors[click_network.CGAM_PREFIX + name] = value
    metadata = dict(metadata)
    metadata["segbridge.cgamStartUpgrade"] = json.dumps({"tool": "tests/torch/upgrade_cgam_start.py", "seed": args.seed, "torch": torch.__version__,
                                                         "added": [click_network.CGAM_PREFIX + n for n in added], "kept": [click_network.CGAM_PREFIX + n for n in OLD]},
                                                        separators=(",", ":"))
    out = args.out or args.weights
    safetensors_io.write(out + ".tmp", tensors, metadata, half=half_precision)
    os.replace(out + ".tmp", out)
    print(sha256(out))


if __name__ == "__main__":
    main()
