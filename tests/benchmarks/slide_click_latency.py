#!/usr/bin/python3
"""Click latency on a whole-slide region against the same click on a plain PNG of that region.

Opens the real Aperio slide (../shared/data/wsi/cmu-1-small-region.svs) in the engine, creates a session on
a level-0 region at full resolution, and times N clicks; then writes the same region (read with
openslide-python, so the pixels are identical) to a PNG, opens that as an ordinary image and times the same
clicks. Also times session creation (the slide read vs the PNG decode). Prints medians and ratios; a
benchmark, never a test.

    /usr/bin/python3 tests/benchmarks/slide_click_latency.py [--size 768] [--clicks 15] [--model watershed]
"""
import argparse
import os
import statistics
import sys
import tempfile
import time

import openslide  # Debian python3-openslide

from _common import data_root, engine_executable

import segbridge  # noqa: E402


def time_clicks(engine, image, model, region, clicks, offset):
    t0 = time.perf_counter()
    session = engine.create_session(image, model, format="rle", region=region)
    create_ms = (time.perf_counter() - t0) * 1000
    walls, models = [], []
    for k, (x, y, positive) in enumerate(clicks):
        t0 = time.perf_counter()
        result = session.click(x + offset[0], y + offset[1], positive=positive)
        walls.append((time.perf_counter() - t0) * 1000)
        models.append(result.model_ms)
    session.close()
    return create_ms, walls, models


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=768)
    ap.add_argument("--clicks", type=int, default=15)
    ap.add_argument("--model", default="watershed")
    ap.add_argument("--x", type=int, default=600)
    ap.add_argument("--y", type=int, default=900)
    args = ap.parse_args()

    slide_path = data_root() / "wsi" / "cmu-1-small-region.svs"
    if not slide_path.exists():
        sys.exit(f"{slide_path} not found: set SEGBRIDGE_DATA")
    x0, y0, size = args.x, args.y, args.size
    png_dir = tempfile.mkdtemp(prefix="segbridge-slidebench-")
    png_path = os.path.join(png_dir, "region.png")
    openslide.OpenSlide(str(slide_path)).read_region((x0, y0), 0, (size, size)).convert("RGB").save(png_path)

    clicks = [(size * (0.3 + 0.4 * ((k * 7) % 11) / 10), size * (0.3 + 0.4 * ((k * 3) % 7) / 6), k % 4 != 3)
              for k in range(args.clicks)]
    allow = ["--allow-root", str(slide_path.parent), "--allow-root", png_dir, "--no-journal"]
    with segbridge.Engine.launch(engine_executable(), args=allow, timeout=300, stderr=open(os.devnull, "wb")) as engine:
        slide = engine.open_image(str(slide_path))
        png = engine.open_image(png_path)
        # One warm-up each (JIT, tile cache for the slide)
        time_clicks(engine, slide, args.model, (x0, y0, size, size), clicks[:2], (x0, y0))
        time_clicks(engine, png, args.model, None, clicks[:2], (0, 0))
        s_create, s_wall, s_model = time_clicks(engine, slide, args.model, (x0, y0, size, size), clicks, (x0, y0))
        p_create, p_wall, p_model = time_clicks(engine, png, args.model, None, clicks, (0, 0))

    med = statistics.median
    print(f"engine: {engine_executable()}  model: {args.model}  region {size}x{size} at level 0 of {slide_path.name}")
    print(f"session create: slide region {s_create:.1f} ms (read through OpenSlide + tile cache), PNG image {p_create:.1f} ms")
    print(f"click wall ms (median of {len(clicks)}): slide {med(s_wall):.1f}  png {med(p_wall):.1f}  ratio {med(s_wall) / med(p_wall):.2f}")
    print(f"click modelMs (median): slide {med(s_model):.1f}  png {med(p_model):.1f}  ratio {med(s_model) / med(p_model):.2f}")


if __name__ == "__main__":
    main()
