#!/usr/bin/python3
"""Load/soak run on loopback: N concurrent clients x M clicks each over one engine's pipe.

Each client has its own connection and works like an annotator: a session per object, a few clicks
(positive inside the object, negative outside), then the next object. Prints errors, lost
acknowledgements (replies whose interaction count is not the one expected), p50/p99 latency per click,
and the engine's resident memory after warm-up and after the run. Bounded: stops after --max-seconds
even if clicks remain. A benchmark: it never fails on a timing, only on errors or lost acknowledgements.

    /usr/bin/python3 tests/benchmarks/soak_clients.py [--clients 8] [--clicks 500] [--model watershed]
"""
import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid

import numpy as np

from _common import engine_executable

import segbridge  # noqa: E402  (path set up by _common)

CLICKS_PER_OBJECT = 10


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def synthetic_image(seed, h=192, w=256):
    """Bright blobs on a dark noisy background, different per client."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:h, :w]
    img = rng.normal(50, 12, (h, w))
    centres = [(rng.integers(40, h - 40), rng.integers(40, w - 40), rng.integers(15, 35)) for _ in range(3)]
    for cy, cx, r in centres:
        img[(yy - cy) ** 2 + (xx - cx) ** 2 < r * r] = rng.normal(200, 12)
    grey = np.clip(img, 0, 255).astype(np.uint8)
    return np.stack([grey, grey, grey], axis=2), centres


def client(pipe, index, clicks, model, deadline, results):
    rng = np.random.default_rng(1000 + index)
    latencies, errors, lost = [], [], 0
    with segbridge.Engine.connect(pipe, timeout=120) as engine:
        arr, centres = synthetic_image(index)
        image = engine.open_image(arr)
        done = 0
        while done < clicks and time.monotonic() < deadline:
            cy, cx, r = centres[(done // CLICKS_PER_OBJECT) % len(centres)]
            session = engine.create_session(image, model, format="rle")
            for k in range(min(CLICKS_PER_OBJECT, clicks - done)):
                positive = k % 3 != 2
                if positive:
                    x, y = cx + rng.integers(-r // 2, r // 2 + 1), cy + rng.integers(-r // 2, r // 2 + 1)
                else:
                    x, y = rng.integers(0, arr.shape[1]), rng.integers(0, arr.shape[0])
                t0 = time.perf_counter()
                try:
                    result = session.click(float(x), float(y), positive=positive)
                    latencies.append(time.perf_counter() - t0)
                    if result.interaction_count != k + 1:
                        lost += 1
                except segbridge.SegBridgeError as e:
                    errors.append(f"{e.code}: {e.message}")
                done += 1
            session.close()
    results[index] = (latencies, errors, lost, done)


def run_phase(pipe, clients, clicks, model, max_seconds):
    results = {}
    deadline = time.monotonic() + max_seconds
    threads = [threading.Thread(target=client, args=(pipe, i, clicks, model, deadline, results)) for i in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--clicks", type=int, default=500)
    ap.add_argument("--model", default="watershed")
    ap.add_argument("--warmup", type=int, default=30, help="clicks per client before the memory baseline")
    ap.add_argument("--max-seconds", type=float, default=600)
    ap.add_argument("--no-journal", action="store_true", help="measure without the crash-safe journal (fsync per click)")
    args = ap.parse_args()

    name = f"soak-{uuid.uuid4().hex[:8]}"
    state = tempfile.mkdtemp(prefix="segbridge-soak-")
    engine_args = ["--no-journal"] if args.no_journal else ["--state-dir", state]
    with segbridge.PipeServer.start(name, executable=engine_executable(), args=engine_args,
                                    stderr=open(os.devnull, "wb")) as server:
        pid = server.process.pid
        run_phase(name, args.clients, args.warmup, args.model, args.max_seconds)
        warm = rss_mb(pid)
        results, wall = run_phase(name, args.clients, args.clicks, args.model, args.max_seconds)
        after = rss_mb(pid)

    latencies = sorted(l for r in results.values() for l in r[0])
    errors = [e for r in results.values() for e in r[1]]
    lost = sum(r[2] for r in results.values())
    done = sum(r[3] for r in results.values())
    q = statistics.quantiles(latencies, n=100) if len(latencies) >= 2 else [float("nan")] * 99
    print(f"engine: {engine_executable()}  model: {args.model}  journal: {'off' if args.no_journal else f'on ({state})'}")
    print(f"clients {args.clients} x clicks {args.clicks}: {done} clicks in {wall:.1f} s ({done / wall:.1f} clicks/s over the pipe)")
    print(f"errors: {len(errors)}  lost acknowledgements: {lost}")
    print(f"latency per click: p50 {q[49] * 1000:.1f} ms  p99 {q[98] * 1000:.1f} ms  max {latencies[-1] * 1000:.1f} ms")
    print(f"engine RSS: after warm-up {warm:.0f} MB, after the run {after:.0f} MB ({(after - warm) / warm * 100:+.1f} %)")
    for e in errors[:5]:
        print("  error:", e)
    return 1 if errors or lost or done < args.clients * args.clicks else 0


if __name__ == "__main__":
    sys.exit(main())
