#!/usr/bin/python3
"""The engine's `random-walker` model vs scikit-image's `random_walker` (mode='cg_j', beta=130) on the
same 512x512 image and the same seeds. Prints times, the ratio and the IoU between the two masks
(and against the ground truth when there is one); never fails on timing.

    /usr/bin/python3 tests/benchmarks/random_walker_vs_skimage.py [--image NAME] [--repeat 3]

Image: a GrabCut image ($SEGBRIDGE_DATA/grabcut/images, default <repo>/../shared/data) resized to
512x512, seeded with the real human scribbles of scribbles-set-1 (0 unlabelled, 1 fg, 2 bg, resized
nearest-neighbour). Without the data, a synthetic image with synthetic scribbles is used.
Seeds go to the engine as one `labels` interaction (the same label image skimage gets).
"""

import argparse
import os
import statistics
import time

import numpy as np

import _common
import segbridge

SIZE = 512


def load_grabcut(name):
    from skimage import io
    from skimage.transform import resize

    root = _common.data_root() / "grabcut"
    images = root / "images"
    if not images.is_dir():
        return None
    names = sorted(p.stem for p in images.glob("*.png")) + sorted(p.stem for p in images.glob("*.jpg"))
    if not names:
        return None
    stem = name or ("106024" if "106024" in names else names[0])
    img_path = next(p for p in images.iterdir() if p.stem == stem)
    img = io.imread(img_path)
    if img.ndim == 3 and img.shape[2] == 4:
        img = img[:, :, :3]
    scr_path = root / "scribbles-set-1" / f"{stem}.png"
    seeds = io.imread(scr_path) if scr_path.exists() else None
    gt_path = root / "masks" / f"{stem}.png"
    gt = io.imread(gt_path) if gt_path.exists() else None
    img = resize(img, (SIZE, SIZE) + img.shape[2:], order=1, preserve_range=True, anti_aliasing=True).round().astype(np.uint8)
    if seeds is None:
        return None
    seeds = resize(seeds, (SIZE, SIZE), order=0, preserve_range=True, anti_aliasing=False).astype(np.uint8)
    if gt is not None:
        gt = resize(gt, (SIZE, SIZE), order=0, preserve_range=True, anti_aliasing=False).astype(np.uint8)
    return f"grabcut/{img_path.name} resized {SIZE}x{SIZE}, scribbles-set-1", img, seeds, gt


def synthetic():
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[:SIZE, :SIZE]
    blob = ((yy - 250) / 150.0) ** 2 + ((xx - 270) / 110.0) ** 2 < 1
    base = np.where(blob[..., None], [180, 90, 60], [60, 110, 150]).astype(np.float64)
    img = np.clip(base + rng.normal(0, 25, size=base.shape), 0, 255).astype(np.uint8)
    seeds = np.zeros((SIZE, SIZE), np.uint8)
    seeds[245:255, 200:340] = 1
    seeds[10:16, 10:500] = 2
    seeds[490:496, 10:500] = 2
    gt = (blob * 255).astype(np.uint8)
    return "synthetic 512x512 RGB ellipse + noise", img, seeds, gt


def iou(a, b, ignore=None):
    a = a.astype(bool)
    b = b.astype(bool)
    if ignore is not None:
        a = a & ~ignore
        b = b & ~ignore
    union = (a | b).sum()
    return (a & b).sum() / union if union else 1.0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--image", help="GrabCut image stem (default 106024)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each (best and median reported)")
    ap.add_argument("--beta", type=float, default=130.0)
    ap.add_argument("--ref-tol", type=float, default=1e-6,
                    help="also run skimage once with this tighter tol as a converged reference (0: skip)")
    args = ap.parse_args()

    from skimage.segmentation import random_walker
    import skimage

    case = load_grabcut(args.image) or synthetic()
    desc, img, seeds, gt = case
    print(f"cpus: {os.cpu_count()}; image: {desc}; seeds: {int((seeds == 1).sum())} fg px, {int((seeds == 2).sum())} bg px")

    exe = _common.engine_executable()
    with segbridge.Engine.launch(exe, timeout=300, stderr=open("/dev/null", "wb")) as engine:
        d = engine.describe_model("random-walker")
        print(f"engine {engine.initialize_result.get('serverVersion')}, random-walker parameters {d.get('parameters')}")
        image = engine.open_image(img)
        wall, model = [], []
        mask_engine = None
        for _ in range(args.repeat):
            s = engine.create_session(image, "random-walker", format="rle")
            t0 = time.perf_counter()
            r = s.labels(seeds)
            wall.append((time.perf_counter() - t0) * 1000)
            model.append(r.model_ms)
            mask_engine = r.mask
            notes = r.notes
            s.close()

    sk_times = []
    mask_sk = None
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        lab = random_walker(img, seeds.astype(np.int32), beta=args.beta, mode="cg_j", channel_axis=-1)
        sk_times.append((time.perf_counter() - t0) * 1000)
        mask_sk = lab == 1

    mask_ref = None
    if args.ref_tol > 0:
        t0 = time.perf_counter()
        lab = random_walker(img, seeds.astype(np.int32), beta=args.beta, mode="cg_j", tol=args.ref_tol, channel_axis=-1)
        ref_ms = (time.perf_counter() - t0) * 1000
        mask_ref = lab == 1

    def fmt(ts):
        return f"best {min(ts):8.1f} ms   median {statistics.median(ts):8.1f} ms"

    print(f"engine random-walker  modelMs     {fmt(model)}")
    print(f"engine random-walker  wall (RPC)  {fmt(wall)}")
    print(f"skimage {skimage.__version__} random_walker cg_j  {fmt(sk_times)}")
    print(f"ratio skimage / engine modelMs (best): {min(sk_times) / max(min(model), 1e-9):.2f}x")
    print(f"ratio skimage / engine wall    (best): {min(sk_times) / min(wall):.2f}x")
    print(f"engine notes: {notes!r}")
    print(f"foreground: engine {int(mask_engine.sum())} px, skimage {int(mask_sk.sum())} px; "
          f"pixels that differ: {int((mask_engine != mask_sk).sum())}")
    print(f"IoU engine vs skimage: {iou(mask_engine, mask_sk):.4f}")
    if mask_ref is not None:
        print(f"converged reference (skimage tol={args.ref_tol:g}, {ref_ms:.0f} ms): "
              f"IoU engine vs ref {iou(mask_engine, mask_ref):.4f}, skimage(tol=1e-3) vs ref {iou(mask_sk, mask_ref):.4f}")
    if gt is not None:
        band = gt == 128
        print(f"IoU vs ground truth (128 band ignored): engine {iou(mask_engine, gt == 255, band):.4f}, "
              f"skimage {iou(mask_sk, gt == 255, band):.4f}")


if __name__ == "__main__":
    main()
