#!/usr/bin/python3
"""Seconds per click (SPC) of the click models at 400x400, engine against the same computation in PyTorch.

For each refinement method (none, f-BRS, G-BRS, CGAM) the engine's `click-hist-METHOD` model gets the same
clicks on the same 400x400 crop of GlaS testA_1 through the Python client (SPC = the model time the engine
reports, plus the RPC wall time), and tests/torch/brs_reference.py runs the same network, clicks and refinement
in Debian's PyTorch (1.13) on the same machine with the same thread count: one session, the first click a plain
pass, then up to 20 Adam steps per click with the refiner and its Adam carried over, early stop for CGAM and
G-BRS (so both sides also print how many steps each click took; they agree when the two computations do).

Then the full-width run: the ImageNet ResNet-18 layout (stem width 64, blocks [2, 2, 2, 3], guidance conv) at
the same 400x400, CGAM by default (--wide-methods). Its 5-channel click network is
plugin-manifests/weights/click-hist-imagenet.safetensors when that file exists; until it ships, one is made
here from the shipped guide guide-hist-imagenet.safetensors (its weights, a guidance conv of small random
weights, seed 11, and a drawn CGAM theta_0) and served to the engine through a temporary manifest
(--models). Timing only: that network is untrained for clicks.

A benchmark: never fails on timing.

    /usr/bin/python3 tests/benchmarks/click_spc_vs_pytorch.py [--clicks 5] [--threads 2] [--wide-methods cgam]
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
from scipy import ndimage
from skimage import io

from _common import REPO_ROOT, data_root, engine_executable

import segbridge  # noqa: E402

sys.path.insert(0, str(REPO_ROOT / "tests" / "torch"))
import click_network  # noqa: E402
import safetensors_io  # noqa: E402

METHODS = ["none", "f-brs", "g-brs", "cgam"]
WEIGHTS = REPO_ROOT / "plugin-manifests" / "weights"


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


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def wide_click_network(path):
    """A 5-channel click network of the ImageNet layout from the shipped 3-channel guide, written to path (float16)."""
    import torch
    tensors, metadata = safetensors_io.read(WEIGHTS / "guide-hist-imagenet.safetensors")
    config = json.loads(metadata[click_network.CONFIG_KEY])
    config["inputChannels"] = 5
    generator = torch.Generator().manual_seed(11)
    tensors["guidance.weight"] = (torch.randn(config["width"], 2, 7, 7, generator=generator) * 0.05).numpy()
    for name, value in click_network.new_cgam_start(config["asppChannels"], 1).items():
        tensors[click_network.CGAM_PREFIX + name] = value.numpy()
    provenance = {"tool": "tests/benchmarks/click_spc_vs_pytorch.py", "from": "guide-hist-imagenet.safetensors", "guidanceSeed": 11, "note": "timing only"}
    safetensors_io.write(path, tensors, {click_network.CONFIG_KEY: json.dumps(config, separators=(",", ":")), "segbridge.training": json.dumps(provenance)}, half=True)


def write_manifests(folder, prefix, weights_file, methods):
    """Manifests like the shipped click-hist-METHOD ones, for weights_file (copied under folder/weights)."""
    os.makedirs(os.path.join(folder, "weights"), exist_ok=True)
    local = os.path.join(folder, "weights", os.path.basename(weights_file))
    if os.path.abspath(local) != os.path.abspath(weights_file):
        shutil.copyfile(weights_file, local)
    for method in methods:
        with open(REPO_ROOT / "plugin-manifests" / f"click-hist-{method}.json") as f:
            manifest = json.load(f)
        manifest.pop("$schema", None)
        manifest.update({"id": f"{prefix}-{method}", "name": f"{prefix} ({method}), benchmark only", "description": "written by tests/benchmarks/click_spc_vs_pytorch.py"})
        manifest["weights"] = [{"path": f"weights/{os.path.basename(weights_file)}", "sha256": sha256(local)}]
        with open(os.path.join(folder, f"{prefix}-{method}.json"), "w") as f:
            json.dump(manifest, f, indent=2)


def run_engine(engine, img, model_id, clicks):
    session = engine.create_session(img, model_id)
    session.click(clicks[0]["x"], clicks[0]["y"], clicks[0]["positive"], format="rle")  # warm-up (first use of the model)
    session.reset()
    model_s, wall_s, steps, total = [], [], [], 0
    for c in clicks:
        start = time.perf_counter()
        r = session.click(c["x"], c["y"], c["positive"], format="rle")
        wall_s.append(time.perf_counter() - start)
        model_s.append(r.model_ms / 1000)
        # BrsModel's notes count the session's Adam steps: "...; N in this session)" (none for a plain pass).
        found = re.search(r"(\d+) in this session", r.notes or "")
        now = int(found.group(1)) if found else total
        steps.append(now - total)
        total = now
    session.close()
    return model_s, wall_s, steps


def run_reference(weights, png, clicks_json, method, threads):
    ref = subprocess.run([sys.executable, str(REPO_ROOT / "tests" / "torch" / "brs_reference.py"), "--weights", str(weights),
                          "--image", png, "--clicks", clicks_json, "--method", method, "--threads", str(threads), "--time"],
                         check=True, capture_output=True, text=True)
    return json.loads(ref.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clicks", type=int, default=5)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--wide-methods", default="", help="comma-separated methods for the full-width ImageNet-layout run ('' for none)")
    args = ap.parse_args()
    wide_methods = [m for m in args.wide_methods.split(",") if m]

    glas = data_root() / "glas"
    image = io.imread(glas / "images" / "testA_1.jpg")[60:460, 100:500, :3]
    truth = io.imread(glas / "masks" / "testA_1.png")[60:460, 100:500] > 0
    clicks = robot_clicks(truth, args.clicks)
    shipped = WEIGHTS / "click-hist-imagenet.safetensors"  # what the click-hist-* manifests name

    with tempfile.TemporaryDirectory() as tmp:
        png = os.path.join(tmp, "crop.png")
        io.imsave(png, image, check_contrast=False)
        clicks_json = os.path.join(tmp, "clicks.json")
        with open(clicks_json, "w") as f:
            json.dump(clicks, f)
        models = os.path.join(tmp, "models")
        wide = WEIGHTS / "click-hist-imagenet.safetensors"
        wide_source = "plugin-manifests/weights/click-hist-imagenet.safetensors"
        if wide_methods:
            if not wide.exists():
                wide = os.path.join(tmp, "click-imagenet-bench.safetensors")
                wide_click_network(wide)
                wide_source = "made from guide-hist-imagenet (untrained guidance)"
            write_manifests(models, "click-imagenet-bench", str(wide), wide_methods)

        runs = [("click-hist", shipped, m, f"click-hist-{m}") for m in METHODS] + [("imagenet", wide, m, f"click-imagenet-bench-{m}") for m in wide_methods]
        rows = []
        with segbridge.Engine.launch(engine_executable(), args=["--threads", str(args.threads), "--models", models], timeout=900) as engine:
            img = engine.open_image(image)
            for network, weights, method, model_id in runs:
                model_s, wall_s, steps = run_engine(engine, img, model_id, clicks)
                reference = run_reference(weights, png, clicks_json, method, args.threads)
                rows.append((network, method, np.mean(model_s), np.mean(wall_s), np.mean(reference["secondsPerClick"]), steps, reference["steps"], reference["torch"]))

    print(f"SPC at 400x400, {args.clicks} clicks, {args.threads} threads; reference: PyTorch {rows[0][7]} (Debian); "
          f"imagenet = ResNet-18 [2,2,2,3] width 64, {wide_source}")
    print(f"{'network':10} {'method':8} {'engine model s':>15} {'engine RPC s':>13} {'PyTorch s':>10} {'engine/PyTorch':>15}  Adam steps per click, engine / PyTorch")
    for network, method, model, wall, torch_s, steps, ref_steps, _ in rows:
        print(f"{network:10} {method:8} {model:15.3f} {wall:13.3f} {torch_s:10.3f} {model / torch_s:15.2f}  {steps} / {ref_steps}")


if __name__ == "__main__":
    main()
