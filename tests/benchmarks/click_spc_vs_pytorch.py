#!/usr/bin/python3
"""Seconds per click (SPC) of the click models at 400x400, engine against the same computation in PyTorch.

For each refinement method (none, f-BRS, G-BRS, CGAM) the engine's `click-hist-METHOD` model gets the same
clicks on the same 400x400 crop of GlaS testA_1 through the Python client (SPC = the model time the engine
reports, plus the RPC wall time), and tools/torch/brs_reference.py runs the same network, clicks and 20 Adam
steps in Debian's PyTorch (1.13) on the same machine with the same thread count. Prints both and the ratio.
A benchmark: never fails on timing.

    /usr/bin/python3 tests/benchmarks/click_spc_vs_pytorch.py [--clicks 5] [--threads 2]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from scipy import ndimage
from skimage import io

from _common import REPO_ROOT, data_root, engine_executable

import segbridge  # noqa: E402

METHODS = ["none", "f-brs", "g-brs", "cgam"]


def robot_clicks(truth, count):
    """Clicks of the evaluation robot against an empty start: alternate the largest false-negative /
    false-positive region's deepest point, using the ground truth as the 'prediction' of the previous click
    is not available here; so: deepest object point, deepest background point, then next-deepest, spaced."""
    inside = ndimage.distance_transform_edt(truth)
    outside = ndimage.distance_transform_edt(~truth)
    clicks, taken = [], np.zeros_like(truth)
    for k in range(count):
        positive = k % 2 == 0
        d = np.where(taken, 0, inside if positive else outside)
        y, x = np.unravel_index(np.argmax(d), d.shape)
        clicks.append({"x": int(x), "y": int(y), "positive": bool(positive), "radius": 0})
        yy, xx = np.ogrid[:truth.shape[0], :truth.shape[1]]
        taken |= (yy - y) ** 2 + (xx - x) ** 2 < 60 ** 2
    return clicks


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clicks", type=int, default=5)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    args = ap.parse_args()

    glas = data_root() / "glas"
    image = io.imread(glas / "images" / "testA_1.jpg")[60:460, 100:500, :3]
    truth = io.imread(glas / "masks" / "testA_1.png")[60:460, 100:500] > 0
    clicks = robot_clicks(truth, args.clicks)
    weights = REPO_ROOT / "plugin-manifests" / "weights" / "click-hist.safetensors"

    with tempfile.TemporaryDirectory() as tmp:
        png = os.path.join(tmp, "crop.png")
        io.imsave(png, image, check_contrast=False)
        clicks_json = os.path.join(tmp, "clicks.json")
        with open(clicks_json, "w") as f:
            json.dump(clicks, f)

        rows = []
        with segbridge.Engine.launch(engine_executable(), args=["--threads", str(args.threads)], timeout=600) as engine:
            img = engine.open_image(image)
            for method in METHODS:
                session = engine.create_session(img, f"click-hist-{method}")
                session.click(clicks[0]["x"], clicks[0]["y"], clicks[0]["positive"], format="rle")  # warm-up (first use of the model)
                session.reset()
                model_s, wall_s = [], []
                for c in clicks:
                    start = time.perf_counter()
                    r = session.click(c["x"], c["y"], c["positive"], format="rle")
                    wall_s.append(time.perf_counter() - start)
                    model_s.append(r.model_ms / 1000)
                session.close()
                ref = subprocess.run([sys.executable, str(REPO_ROOT / "tools" / "torch" / "brs_reference.py"), "--weights", str(weights),
                                      "--image", png, "--clicks", clicks_json, "--method", method, "--threads", str(args.threads), "--time"],
                                     check=True, capture_output=True, text=True)
                reference = json.loads(ref.stdout.strip().splitlines()[-1])
                rows.append((method, np.mean(model_s), np.mean(wall_s), np.mean(reference["secondsPerClick"]), reference["torch"]))

    print(f"SPC at 400x400, {args.clicks} clicks, {args.threads} threads; reference: PyTorch {rows[0][4]} (Debian)")
    print(f"{'method':8} {'engine model s':>15} {'engine RPC s':>13} {'PyTorch s':>10} {'engine/PyTorch':>15}")
    for method, model, wall, torch_s, _ in rows:
        print(f"{method:8} {model:15.3f} {wall:13.3f} {torch_s:10.3f} {model / torch_s:15.2f}")


if __name__ == "__main__":
    main()
