#!/usr/bin/python3
"""Time per Mem3D round on a 240x240x155 BraTS volume: the engine's volumes/propagate against the same propagation
in Debian's PyTorch (tests/torch/mem3d_reference.py, same safetensors weights, same interactive mask), same thread
count. Also prints how far the two predictions agree (Dice between them, and the largest quality-score gap):
the parity check of the whole pipeline. A benchmark: never fails on timing.

    /usr/bin/python3 tests/benchmarks/mem3d_vs_pytorch.py [--case brats_2013_pat0006_1] [--threads 1] [--repeat 2]
"""
import argparse
import base64
import json
import os
import subprocess
import sys
import tempfile
import time

import nibabel as nib
import numpy as np

from _common import REPO_ROOT, data_root, engine_executable

import segbridge  # noqa: E402


def rle_decode(counts, h, w):
    flat = np.zeros(h * w, np.uint8)
    pos, value = 0, 0
    for c in counts:
        if value:
            flat[pos:pos + c] = 1
        pos += c
        value ^= 1
    return flat.reshape(w, h).T  # COCO RLE is column-major


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--case", default=None, help="BraTS case folder (default: the last, held out of training)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    brats = data_root() / "brats"
    case = brats / (args.case or sorted(os.listdir(brats))[-1])
    flair = case / "Flair_subtrMeanDivStd.nii.gz"
    labels = np.asarray(nib.load(str(case / "OTMultiClass.nii.gz")).dataobj).transpose(2, 1, 0) > 0  # (D, H, W)
    z0 = int(np.argmax(labels.sum(axis=(1, 2))))
    ys, xs = np.nonzero(labels[z0])
    box = {"x0": int(xs.min()), "y0": int(ys.min()), "x1": int(xs.max()) + 1, "y1": int(ys.max()) + 1}
    weights = REPO_ROOT / "plugin-manifests" / "weights" / "mem3d-brats.safetensors"

    with tempfile.TemporaryDirectory() as tmp, \
            segbridge.Engine.launch(engine_executable(), args=["--threads", str(args.threads), "--allow-root", str(case)], timeout=600) as engine:
        img = engine.request("images/open", {"path": str(flair)})
        ses = engine.request("sessions/create", {"imageId": img["imageId"], "modelId": "mem3d-brats", "slice": z0})
        mask = engine.request("sessions/interact", {"sessionId": ses["sessionId"], "box": box, "format": "raw"})
        h, w, d = img["height"], img["width"], img["depth"]
        interactive = np.frombuffer(base64.b64decode(mask["data"]), np.uint8).reshape(h, w)
        engine_s, wall_s, result = [], [], None
        for _ in range(args.repeat):
            t = time.perf_counter()
            result = engine.request("volumes/propagate", {"sessionId": ses["sessionId"]})
            wall_s.append(time.perf_counter() - t)
            engine_s.append(result["modelMs"] / 1000)
        engine_pred = np.stack([rle_decode(s["rle"]["counts"], h, w) for s in result["slices"]])
        np.save(os.path.join(tmp, "mask.npy"), interactive)
        ref = subprocess.run([sys.executable, str(REPO_ROOT / "tests" / "torch" / "mem3d_reference.py"), "--weights", str(weights),
                              "--volume", str(flair), "--interactive", os.path.join(tmp, "mask.npy"), "--slice", str(z0),
                              "--threads", str(args.threads), "--repeat", str(args.repeat), "--out", os.path.join(tmp, "ref.npy")],
                             check=True, capture_output=True, text=True)
        reference = json.loads(ref.stdout.strip().splitlines()[-1])
        ref_pred = np.load(os.path.join(tmp, "ref.npy"))

    agree = 2 * (engine_pred & ref_pred).sum() / max(1, engine_pred.sum() + ref_pred.sum())
    dice_engine = 2 * (engine_pred & labels).sum() / max(1, engine_pred.sum() + labels.sum())
    q_gap = float(np.max(np.abs(np.array(result["quality"]) - np.array(reference["quality"]))))
    torch_s = min(reference["seconds"])
    print(f"Mem3D round on {case.name} ({w}x{h}x{d}), box on slice {z0}, {args.threads} thread(s); reference PyTorch {reference['torch']} (Debian)")
    print(f"engine volumes/propagate: model {min(engine_s):.2f} s, RPC wall {min(wall_s):.2f} s (best of {args.repeat})")
    print(f"PyTorch reference:        {torch_s:.2f} s (best of {args.repeat})")
    print(f"engine/PyTorch ratio:     {min(engine_s) / torch_s:.2f}")
    print(f"parity: Dice(engine, PyTorch) {agree:.4f}, largest quality gap {q_gap:.4f}; Dice vs truth: engine {dice_engine:.3f}")


if __name__ == "__main__":
    main()
