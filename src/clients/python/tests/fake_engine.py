#!/usr/bin/python3
"""A tiny stand-in engine for client tests: `fake_engine.py serve --stdio` speaks the framing and a
handful of methods. It writes log noise to stderr on purpose (the client must never parse it).
Not a reference implementation of SegBridge."""

import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from segbridge.framing import FrameParser, encode_frame  # noqa: E402


def main():
    out = sys.stdout.buffer
    sys.stderr.write("Content-Length: 5\r\n\r\nnoise on stderr\n")
    sys.stderr.flush()
    parser = FrameParser()
    initialized = False
    fd = sys.stdin.fileno()
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            return 0
        for msg in parser.feed(chunk):
            method, rid, params = msg.get("method"), msg.get("id"), msg.get("params") or {}
            if rid is None:
                continue
            reply = {"jsonrpc": "2.0", "id": rid}
            if method == "initialize":
                initialized = True
                reply["result"] = {"serverName": "fake", "serverVersion": "0", "protocolVersion": "1.0",
                                   "capabilities": {}, "models": [], "echoProcessId": params.get("processId")}
            elif method == "ping":
                reply["result"] = {"serverTimeUtc": "now"}
            elif not initialized:
                reply["error"] = {"code": 1001, "message": "initialize first", "data": {"codeName": "NotInitialized"}}
            elif method == "shutdown":
                out.write(encode_frame(dict(reply, result={"ok": True})))
                out.flush()
                return 0
            elif method == "test/notify":
                out.write(encode_frame({"jsonrpc": "2.0", "method": "log/message", "params": {"text": "hi"}}))
                reply["result"] = {"ok": True}
            elif method == "test/sleep":
                time.sleep(params.get("seconds", 1))
                reply["result"] = {"ok": True}
            elif method == "test/exit":
                return 3
            else:
                reply["error"] = {"code": -32601, "message": f"no method {method}"}
            out.write(encode_frame(reply))
            out.flush()


if __name__ == "__main__":
    sys.exit(main())
