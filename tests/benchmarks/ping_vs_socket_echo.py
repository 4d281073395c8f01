#!/usr/bin/python3
"""Round-trip latency: `ping` through the Python client over the engine's pipe, vs a raw
Content-Length-framed echo over a Unix socket served by a separate Python process.

Prints per-round-trip microseconds and ratios; never fails on timing.

    /usr/bin/python3 tests/benchmarks/ping_vs_socket_echo.py [-n 2000]

Three numbers are printed:
  * client ping   - Engine.ping() (reader thread, id dispatch, JSON encode/decode) against the engine
  * raw ping      - the same ping frame written/read synchronously on a socket to the engine (no client library)
  * socket echo   - a frame of the same size echoed by a trivial Python server (the transport floor)
"""

import argparse
import multiprocessing as mp
import os
import socket
import statistics
import tempfile
import time
import uuid

import _common  # noqa: F401  (puts the client on sys.path)
import segbridge
from segbridge.framing import FrameParser, encode_frame, frame_bytes


def echo_server(path, ready):
    """Echo every Content-Length frame back unchanged, one connection at a time."""
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    ready.set()
    while True:
        conn, _ = srv.accept()
        parser = FrameParser(decode=False)
        with conn:
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                for body in parser.feed(chunk):
                    conn.sendall(frame_bytes(body))


def sync_round_trips(sock, frame, n):
    """n synchronous round trips of ``frame``; returns seconds per round trip (list)."""
    parser = FrameParser(decode=False)
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        sock.sendall(frame)
        got = []
        while not got:
            got = list(parser.feed(sock.recv(65536)))
        times.append(time.perf_counter() - t0)
    return times


def summary(name, times):
    us = [t * 1e6 for t in times]
    us_sorted = sorted(us)
    p50 = statistics.median(us)
    p99 = us_sorted[int(0.99 * (len(us) - 1))]
    print(f"  {name:<34} mean {statistics.fmean(us):8.1f} µs   p50 {p50:8.1f} µs   p99 {p99:8.1f} µs")
    return statistics.fmean(us), p50


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=2000, help="round trips per measurement (default 2000)")
    ap.add_argument("--warmup", type=int, default=200)
    args = ap.parse_args()

    # Start the echo process first (fork before any thread exists).
    echo_path = os.path.join(tempfile.gettempdir(), f"sb-echo-{os.getpid()}-{uuid.uuid4().hex[:6]}.sock")
    ctx = mp.get_context("fork")
    ready = ctx.Event()
    echo = ctx.Process(target=echo_server, args=(echo_path, ready), daemon=True)
    echo.start()
    ready.wait(10)

    exe = _common.engine_executable()
    name = f"sbbench-{os.getpid()}"
    ping_frame = encode_frame({"jsonrpc": "2.0", "id": 1000000, "method": "ping", "params": {}})
    try:
        with segbridge.PipeServer.start(name, executable=exe, stderr=open(os.devnull, "wb")) as server:
            with segbridge.Engine.connect(server.path) as engine:
                print(f"engine {engine.initialize_result.get('serverVersion')} on pipe {server.path}; "
                      f"{os.cpu_count()} cpus, N={args.n}, ping request frame {len(ping_frame)} bytes")
                for _ in range(args.warmup):
                    engine.ping()
                client_times = []
                for _ in range(args.n):
                    t0 = time.perf_counter()
                    engine.ping()
                    client_times.append(time.perf_counter() - t0)

            # Raw ping: our own socket, initialize, then synchronous pings (no reader thread).
            raw = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            raw.connect(server.path)
            init = encode_frame({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "clientName": "bench-raw", "clientVersion": "0", "protocolVersion": "1.0", "processId": os.getpid()}})
            sync_round_trips(raw, init, 1)
            sync_round_trips(raw, ping_frame, args.warmup)
            raw_times = sync_round_trips(raw, ping_frame, args.n)
            raw.close()

        echo_sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        echo_sock.connect(echo_path)
        sync_round_trips(echo_sock, ping_frame, args.warmup)
        echo_times = sync_round_trips(echo_sock, ping_frame, args.n)
        echo_sock.close()
    finally:
        echo.terminate()
        echo.join(5)
        try:
            os.unlink(echo_path)
        except OSError:
            pass

    print("per round trip:")
    c_mean, c_p50 = summary("client ping (segbridge.Engine.ping)", client_times)
    r_mean, r_p50 = summary("raw ping (sync socket, no client)", raw_times)
    e_mean, e_p50 = summary("socket echo (Python echo process)", echo_times)
    print("ratios (mean / p50):")
    print(f"  client ping / socket echo   {c_mean / e_mean:6.2f} / {c_p50 / e_p50:6.2f}")
    print(f"  raw ping    / socket echo   {r_mean / e_mean:6.2f} / {r_p50 / e_p50:6.2f}")
    print(f"  client ping / raw ping      {c_mean / r_mean:6.2f} / {c_p50 / r_p50:6.2f}")


if __name__ == "__main__":
    main()
