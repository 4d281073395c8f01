"""Client machinery under failures the real engine cannot be made to produce on demand: replies out of
order, late replies after a timeout, server-to-client requests, a peer that vanishes mid-call. A socketpair
peer injects them. Everything the engine itself does is tested against the real executable in test_engine.py."""

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
             "e": (-32601, segbridge.MethodNotFoundError), "f": (5001, segbridge.JournalUnavailableError)}

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


def test_pipe_path_is_in_an_owner_only_folder_honouring_xdg_runtime_dir_and_tmpdir(monkeypatch, tmp_path):
    uid = os.geteuid()
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.delenv("TMPDIR", raising=False)
    assert segbridge.pipe_path("abc") == f"/tmp/segbridge-{uid}/abc"
    monkeypatch.setenv("TMPDIR", "/var/tmp/x")
    assert segbridge.pipe_path("abc") == f"/var/tmp/x/segbridge-{uid}/abc"
    monkeypatch.setenv("TMPDIR", "/var/tmp/y/")
    assert segbridge.pipe_path("abc") == f"/var/tmp/y/segbridge-{uid}/abc"
    # XDG_RUNTIME_DIR counts only when it is a folder of this user's, as the engine decides
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    assert segbridge.pipe_path("abc") == f"{tmp_path}/segbridge/abc"
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "missing"))
    assert segbridge.pipe_path("abc") == f"/var/tmp/y/segbridge-{uid}/abc"
    assert segbridge.pipe_path("/run/sock") == "/run/sock"


def test_find_executable_errors(monkeypatch):
    monkeypatch.delenv("SEGBRIDGE_EXE", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(FileNotFoundError):
        segbridge.find_executable()
    with pytest.raises(FileNotFoundError):
        segbridge.find_executable("/no/such/segbridge")
