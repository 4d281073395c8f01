"""Client machinery against in-process fakes (no real engine needed): id dispatch, concurrency,
errors, timeouts, notifications, closed connections, mask decoding, and stdio launching."""

import base64
import json
import os
import socket
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import segbridge
from segbridge import Engine, MaskResult
from segbridge.codecs import png_encode, rle_encode
from segbridge.framing import FrameParser, encode_frame
from segbridge.transport import Connection, SocketTransport

FAKE_SCRIPT = Path(__file__).with_name("fake_engine.py")


@pytest.fixture
def fake_exe(tmp_path):
    """An executable running fake_engine.py with this interpreter (which has numpy)."""
    exe = tmp_path / "fake-segbridge"
    exe.write_text(f"#!/bin/sh\nexec '{sys.executable}' '{FAKE_SCRIPT}' \"$@\"\n")
    exe.chmod(0o755)
    return str(exe)


class FakeServer:
    """Answers requests on one end of a socketpair with ``handler(msg) -> reply dict or None``."""

    def __init__(self, handler):
        self.client_sock, self.server_sock = socket.socketpair()
        self.handler = handler
        self.received = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def send(self, msg):
        self.server_sock.sendall(encode_frame(msg))

    def _run(self):
        parser = FrameParser()
        while True:
            try:
                chunk = self.server_sock.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            for msg in parser.feed(chunk):
                self.received.append(msg)
                threading.Thread(target=self._answer, args=(msg,), daemon=True).start()

    def _answer(self, msg):
        reply = self.handler(msg)
        if reply is not None:
            try:
                self.send(reply)
            except OSError:
                pass

    def close(self):
        self.server_sock.close()


def _result(msg, result):
    return {"jsonrpc": "2.0", "id": msg["id"], "result": result}


def test_concurrent_requests_answered_out_of_order():
    def handler(msg):
        if "id" not in msg:
            return None
        n = msg["params"]["n"]
        time.sleep(0.002 * (20 - n % 20))  # later requests answered sooner
        return _result(msg, {"n": n})

    srv = FakeServer(handler)
    conn = Connection(SocketTransport(srv.client_sock))
    results = {}

    def worker(k):
        for i in range(25):
            n = k * 100 + i
            results[n] = conn.request("echo", {"n": n}, timeout=10)["n"]

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {n: n for n in results} and len(results) == 200
    ids = [m["id"] for m in srv.received]
    assert len(set(ids)) == len(ids) == 200
    assert all(m["jsonrpc"] == "2.0" and isinstance(m["params"], dict) for m in srv.received)
    conn.close()
    srv.close()


def test_error_objects_become_exceptions_by_code():
    table = {"a": (2001, segbridge.UnknownModelError), "b": (4002, segbridge.InvalidInteractionError),
             "c": (4001, segbridge.UnknownSessionError), "d": (1234, segbridge.SegBridgeError),
             "e": (-32601, segbridge.MethodNotFoundError)}

    def handler(msg):
        code = table[msg["method"]][0]
        return {"jsonrpc": "2.0", "id": msg["id"],
                "error": {"code": code, "message": "nope", "data": {"field": "x", "allowed": "0..9", "codeName": "N"}}}

    srv = FakeServer(handler)
    conn = Connection(SocketTransport(srv.client_sock))
    for method, (code, cls) in table.items():
        with pytest.raises(cls) as info:
            conn.request(method, {}, timeout=5)
        e = info.value
        assert isinstance(e, segbridge.SegBridgeError)
        assert (e.code, e.message, e.field, e.allowed, e.code_name) == (code, "nope", "x", "0..9", "N")
        assert e.data == {"field": "x", "allowed": "0..9", "codeName": "N"}
        assert str(code) in str(e)
    conn.close()
    srv.close()


def test_timeout_cancels_and_late_reply_is_ignored():
    def handler(msg):
        if msg.get("method") == "slow":
            time.sleep(0.5)
        if "id" in msg:
            return _result(msg, {"m": msg["method"]})
        return None

    srv = FakeServer(handler)
    conn = Connection(SocketTransport(srv.client_sock))
    t0 = time.monotonic()
    with pytest.raises(segbridge.SegBridgeTimeout) as info:
        conn.request("slow", {}, timeout=0.1)
    assert time.monotonic() - t0 < 0.4
    assert isinstance(info.value, TimeoutError) and info.value.method == "slow"
    time.sleep(0.6)  # the late reply arrives and is dropped
    assert conn.request("fast", {}, timeout=5) == {"m": "fast"}
    cancels = [m for m in srv.received if m.get("method") == "$/cancelRequest"]
    assert cancels and cancels[0]["params"]["id"] == srv.received[0]["id"]
    conn.close()
    srv.close()


def test_notifications_recorded_and_server_requests_refused():
    seen = []

    def handler(msg):
        if msg.get("method") == "go":
            srv.send({"jsonrpc": "2.0", "method": "progress", "params": {"pct": 50}})
            srv.send({"jsonrpc": "2.0", "id": "srv-1", "method": "client/doSomething", "params": {}})
            time.sleep(0.05)
            return _result(msg, {"ok": True})
        return None

    srv = FakeServer(handler)
    conn = Connection(SocketTransport(srv.client_sock), on_notification=lambda m, p: seen.append((m, p)))
    assert conn.request("go", {}, timeout=5) == {"ok": True}
    assert seen == [("progress", {"pct": 50})]
    assert conn.notifications[-1]["method"] == "progress"
    refusal = [m for m in srv.received if m.get("id") == "srv-1"]
    assert refusal and refusal[0]["error"]["code"] == -32601
    conn.close()
    srv.close()


def test_connection_loss_fails_pending_and_later_calls():
    srv = FakeServer(lambda msg: None)  # never answers
    conn = Connection(SocketTransport(srv.client_sock))
    errors = []

    def call():
        try:
            conn.request("hang", {}, timeout=10)
        except segbridge.SegBridgeError as e:
            errors.append(e)

    t = threading.Thread(target=call)
    t.start()
    time.sleep(0.1)
    srv.server_sock.shutdown(socket.SHUT_RDWR)
    srv.close()
    t.join(5)
    assert len(errors) == 1 and isinstance(errors[0], segbridge.SegBridgeConnectionError)
    with pytest.raises(segbridge.SegBridgeConnectionError):
        conn.request("again", {}, timeout=1)
    conn.close()


def _mask_reply(fmt, mask, session="s1"):
    h, w = mask.shape
    r = {"sessionId": session, "format": fmt, "width": w, "height": h, "bbox": [1, 2, 3, 4],
         "foregroundPixels": int(mask.sum()), "interactionCount": 2, "modelMs": 12.5, "notes": "n"}
    if fmt == "rle":
        r["rle"] = {"size": [h, w], "counts": rle_encode(mask)}
    elif fmt == "png":
        r["data"] = base64.b64encode(png_encode((mask * 255).astype(np.uint8), filter_type=4)).decode()
    elif fmt == "raw":
        r["data"] = base64.b64encode(mask.astype(np.uint8).tobytes()).decode()
    elif fmt == "polygons":
        ys, xs = np.nonzero(mask)
        x0, y0, x1, y1 = int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1
        r["geometry"] = {"type": "MultiPolygon", "coordinates": [[[[x0, y0], [x0, y1], [x1, y1], [x1, y0], [x0, y0]]]]}
    return r


@pytest.mark.parametrize("fmt", ["rle", "png", "raw", "polygons"])
def test_session_api_against_fake(fmt):
    mask = np.zeros((6, 9), bool)
    mask[2:5, 3:8] = True  # a rectangle so polygons are exact

    def handler(msg):
        m, p = msg["method"], msg["params"]
        if m == "initialize":
            return _result(msg, {"serverName": "fake", "serverVersion": "0", "protocolVersion": "1.0",
                                 "capabilities": {"maskFormats": ["rle"]}, "models": []})
        if m == "images/open":
            return _result(msg, {"imageId": "img1", "width": 9, "height": 6, "channels": 3, "name": None})
        if m == "sessions/create":
            return _result(msg, {"sessionId": "s1", "imageId": p["imageId"], "modelId": p["modelId"],
                                 "width": 9, "height": 6, "interactionCount": 0})
        if m in ("sessions/interact", "sessions/mask", "sessions/undo"):
            return _result(msg, _mask_reply(p["format"], mask))
        return _result(msg, {"ok": True})

    srv = FakeServer(handler)
    engine = Engine(Connection(SocketTransport(srv.client_sock)), timeout=5, kind="pipe")
    engine.initialize()
    init = srv.received[0]["params"]
    assert init["protocolVersion"] == "1.0" and init["processId"] == os.getpid() and init["clientName"]
    img = engine.open_image(np.zeros((6, 9, 3), np.uint16))
    raw = srv.received[-1]["params"]["raw"]
    assert (raw["width"], raw["height"], raw["channels"], raw["dtype"]) == (9, 6, 3, "uint16")
    assert len(base64.b64decode(raw["data"])) == 9 * 6 * 3 * 2
    s = engine.create_session(img, "m", format=fmt)
    r = s.click(4, 3, positive=False, radius=2)
    sent = srv.received[-1]["params"]
    assert sent["click"] == {"x": 4.0, "y": 3.0, "positive": False, "radius": 2.0} and sent["format"] == fmt
    assert isinstance(r, MaskResult)
    assert r.mask.shape == (6, 9) and r.mask.dtype == bool
    np.testing.assert_array_equal(r.mask, mask)
    assert (r.bbox, r.interaction_count, r.model_ms, r.notes, r.foreground_pixels) == ((1, 2, 3, 4), 2, 12.5, "n", 15)
    assert r.raw["format"] == fmt
    if fmt == "polygons":
        assert r.geometry["type"] == "MultiPolygon"
    s.labels(np.full((6, 9), 2, np.uint8))
    assert base64.b64decode(srv.received[-1]["params"]["labels"]["raw"]) == b"\x02" * 54
    with pytest.raises(ValueError):
        s.labels(np.zeros((5, 9), np.uint8))
    s.scribble(np.array([[0, 0], [3, 4]]), width=5)
    assert srv.received[-1]["params"]["scribble"] == {"points": [[0.0, 0.0], [3.0, 4.0]], "positive": True, "width": 5.0}
    s.box(1, 2, 3, 4)
    assert srv.received[-1]["params"]["box"] == {"x0": 1.0, "y0": 2.0, "x1": 3.0, "y1": 4.0}
    np.testing.assert_array_equal(s.mask(format="raw").mask, mask)
    np.testing.assert_array_equal(s.undo().mask, mask)
    engine.open_image(b"\x89PNG...")
    assert "encoded" in srv.received[-1]["params"]
    engine.open_image("relative/x.png")
    assert srv.received[-1]["params"]["path"] == os.path.abspath("relative/x.png")
    with pytest.raises(TypeError):
        engine.open_image(np.zeros((2, 2), np.int32))
    engine.close()
    assert srv.received[-1]["method"] == "shutdown"
    srv.close()


def test_pipe_path_honours_tmpdir(monkeypatch):
    monkeypatch.delenv("TMPDIR", raising=False)
    assert segbridge.pipe_path("abc") == "/tmp/CoreFxPipe_abc"
    monkeypatch.setenv("TMPDIR", "/var/tmp/x")
    assert segbridge.pipe_path("abc") == "/var/tmp/x/CoreFxPipe_abc"
    monkeypatch.setenv("TMPDIR", "/var/tmp/y/")
    assert segbridge.pipe_path("abc") == "/var/tmp/y/CoreFxPipe_abc"
    assert segbridge.pipe_path("/run/sock") == "/run/sock"


def test_launch_fake_engine_over_stdio(tmp_path, fake_exe):
    log = tmp_path / "engine.log"
    with Engine.launch(fake_exe, timeout=10, stderr=str(log)) as engine:
        assert engine.initialize_result["echoProcessId"] == os.getpid()
        assert engine.ping() == {"serverTimeUtc": "now"}
        engine.request("test/notify", {})
        assert engine.notifications[-1]["method"] == "log/message"
        with pytest.raises(segbridge.SegBridgeTimeout):
            engine.request("test/sleep", {"seconds": 0.5}, timeout=0.05)
        with pytest.raises(segbridge.MethodNotFoundError):
            engine.request("nope", {})
        proc = engine.process
    assert proc.returncode == 0  # shutdown made it exit
    assert "noise on stderr" in log.read_text()


def test_launch_fake_engine_exit_is_reported(monkeypatch, fake_exe):
    monkeypatch.setenv("SEGBRIDGE_EXE", fake_exe)
    engine = Engine.launch(timeout=10, stderr=open(os.devnull, "wb"))
    with pytest.raises(segbridge.SegBridgeConnectionError) as info:
        engine.request("test/exit", {})
    assert "exited with code 3" in str(info.value)
    engine.close()


def test_not_initialized_error_from_fake(fake_exe):
    with Engine.launch(fake_exe, timeout=10, initialize=False, stderr=open(os.devnull, "wb")) as engine:
        with pytest.raises(segbridge.NotInitializedError) as info:
            engine.list_models()
        assert info.value.code == 1001
        engine.ping()  # allowed before initialize


def test_find_executable_errors(monkeypatch):
    monkeypatch.delenv("SEGBRIDGE_EXE", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(FileNotFoundError):
        segbridge.find_executable()
    with pytest.raises(FileNotFoundError):
        segbridge.find_executable("/no/such/segbridge")
