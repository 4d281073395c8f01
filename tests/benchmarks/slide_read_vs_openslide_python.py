#!/usr/bin/python3
"""Region reads: SegBridge's SlideImage.ReadRegion (.NET, tests/SlideBench) vs openslide-python's
read_region(...).convert('RGB') on the same slide, the same 1024x1024 regions, in the same run.
Prints reads/s for both and the ratio; never fails on timing.

    /usr/bin/python3 tests/benchmarks/slide_read_vs_openslide_python.py [--reads 20] [--size 1024]

Slides: the real TCGA Aperio slide from $SEGBRIDGE_DATA/wsi (levels 0 and 1: it has no level 2), and a
generic-tiff pyramid that vips makes from it, enlarged 2x (JPEG, 256x256 tiles) so levels 0 and 2 both hold a
1024x1024 region. Regions are at random positions (fixed seed), identical for both readers; each side makes
two untimed warm-up reads first. Needs python3-openslide, libvips-tools and the .NET SDK
(the console is built in Release on first use).
"""

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import openslide

import _common

BENCH = _common.REPO_ROOT / "tests" / "SlideBench"


def build_bench():
    subprocess.run(["dotnet", "build", str(BENCH / "SlideBench.csproj"), "-c", "Release", "-nologo", "-v", "q"],
                   check=True, stdout=subprocess.DEVNULL)
    return BENCH / "bin" / "Release" / "net10.0" / "SlideBench.dll"


def positions(slide, level, size, count, seed):
    rng = random.Random(seed)
    w, h = slide.level_dimensions[level]
    ds = slide.level_downsamples[level]
    rw, rh = min(size, w), min(size, h)
    out = []
    for _ in range(count + 2):
        lx, ly = rng.randint(0, w - rw), rng.randint(0, h - rh)
        out.append((int(lx * ds), int(ly * ds), level, rw, rh))
    return out


def time_python(path, regions):
    slide = openslide.OpenSlide(str(path))
    for x, y, level, w, h in regions[:2]:
        slide.read_region((x, y), level, (w, h)).convert("RGB")
    start = time.perf_counter()
    for x, y, level, w, h in regions[2:]:
        slide.read_region((x, y), level, (w, h)).convert("RGB")
    return time.perf_counter() - start


def time_dotnet(dll, path, regions, tmp):
    pos = Path(tmp) / "positions.txt"
    pos.write_text("\n".join(" ".join(str(v) for v in r) for r in regions) + "\n")
    out = subprocess.run(["dotnet", str(dll), str(path), str(pos)], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])["seconds"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reads", type=int, default=20)
    ap.add_argument("--size", type=int, default=1024)
    args = ap.parse_args()

    svs = _common.data_root() / "wsi" / "tcga-cr-7395-01a-01-ts1.svs"
    if not svs.exists():
        sys.exit(f"{svs} not found: set SEGBRIDGE_DATA to the shared data folder")
    dll = build_bench()
    print(f"OpenSlide {openslide.__library_version__}, openslide-python {openslide.__version__}; "
          f"{args.reads} reads of {args.size}x{args.size} per row (after 2 warm-up reads)")
    print(f"{'slide':<34} {'level':>5} {'.NET reads/s':>13} {'python reads/s':>15} {'ratio':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        pyramid = Path(tmp) / "tcga-2x-pyramid.tif"
        subprocess.run(["vips", "resize", str(svs), str(Path(tmp) / "big.v"), "2"], check=True)
        subprocess.run(["vips", "tiffsave", str(Path(tmp) / "big.v"), str(pyramid), "--tile", "--pyramid",
                        "--compression", "jpeg", "--Q", "75", "--tile-width", "256", "--tile-height", "256"], check=True)
        (Path(tmp) / "big.v").unlink()
        for path, name, levels in ((svs, svs.name, (0, 1)), (pyramid, "vips 2x pyramid (generic-tiff)", (0, 2))):
            slide = openslide.OpenSlide(str(path))
            for level in levels:
                regions = positions(slide, level, args.size, args.reads, seed=level + 1)
                t_py = time_python(path, regions)
                t_net = time_dotnet(dll, path, regions, tmp)
                n = len(regions) - 2
                print(f"{name:<34} {level:>5} {n / t_net:>13.1f} {n / t_py:>15.1f} {t_py / t_net:>6.2f}x")
            slide.close()
    print("ratio = python time / .NET time (above 1: .NET faster). Both decode through the same libopenslide;"
          " the difference is the ARGB->RGB conversion and wrapper overhead.")


if __name__ == "__main__":
    main()
