"""Byte transports (child-process stdio, Unix domain socket) and the JSON-RPC connection.

:class:`Connection` owns a transport, a reader thread that parses frames and dispatches responses
to waiting callers by id, and a write lock. It is safe to call :meth:`Connection.request` from
several threads at once.
"""

from __future__ import annotations

import collections
import itertools
import os
import socket
import subprocess
import sys
import threading
import time
from typing import Any, Callable, Deque, Dict, Optional

from .errors import (
    SegBridgeConnectionError,
    SegBridgeError,
    SegBridgeProtocolError,
    SegBridgeTimeout,
    error_from_json,
)
from .framing import FrameParser, encode_frame

_READ_SIZE = 1 << 16


class Transport:
    """Blocking byte stream. Subclasses implement :meth:`read`, :meth:`write` and :meth:`close`."""

    description = "transport"

    def read(self) -> bytes:  # pragma: no cover - interface
        """Return some bytes, or ``b""`` at end of stream."""
        raise NotImplementedError

    def write(self, data: bytes) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def close(self) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class ProcessTransport(Transport):
    """The stdin/stdout of a child process (its stderr is never read here)."""

    def __init__(self, proc: subprocess.Popen):
        self.proc = proc
        self._out = proc.stdout.fileno()
        self._in = proc.stdin
        self.description = f"engine process {proc.pid}"

    def read(self) -> bytes:
        try:
            return os.read(self._out, _READ_SIZE)
        except OSError:
            return b""

    def write(self, data: bytes) -> None:
        try:
            self._in.write(data)
            self._in.flush()
        except (OSError, ValueError) as e:
            raise SegBridgeConnectionError(f"cannot write to {self.description}: {e}") from None

    def close(self) -> None:
        try:
            self._in.close()
        except OSError:
            pass


class SocketTransport(Transport):
    """A connected stream socket (the Unix domain socket behind a .NET named pipe)."""

    def __init__(self, sock: socket.socket, description: str = "socket"):
        self.sock = sock
        self.description = description

    def read(self) -> bytes:
        try:
            return self.sock.recv(_READ_SIZE)
        except OSError:
            return b""

    def write(self, data: bytes) -> None:
        try:
            self.sock.sendall(data)
        except OSError as e:
            raise SegBridgeConnectionError(f"cannot write to {self.description}: {e}") from None

    def close(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


class _Pending:
    __slots__ = ("event", "response", "method")

    def __init__(self, method: str):
        self.event = threading.Event()
        self.response: Optional[dict] = None
        self.method = method


class Connection:
    """JSON-RPC 2.0 client over a :class:`Transport`.

    Args:
        transport: the byte stream.
        on_notification: optional callback ``f(method, params)`` run on the reader thread.
        max_notifications: how many notifications to keep in :attr:`notifications`.
    """

    def __init__(
        self,
        transport: Transport,
        on_notification: Optional[Callable[[str, Any], None]] = None,
        max_notifications: int = 1000,
    ):
        self.transport = transport
        self.on_notification = on_notification
        self.notifications: Deque[dict] = collections.deque(maxlen=max_notifications)
        self._progress: Dict[str, Callable[[dict], None]] = {}
        self._ids = itertools.count(1)
        self._id_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._pending: Dict[int, _Pending] = {}
        self._pending_lock = threading.Lock()
        self._closed_reason: Optional[str] = None
        self._reader = threading.Thread(target=self._read_loop, name="segbridge-reader", daemon=True)
        self._reader.start()

    # ------------------------------------------------------------------ public

    @property
    def closed(self) -> bool:
        """True once the stream ended or :meth:`close` was called."""
        return self._closed_reason is not None

    def request(self, method: str, params: Optional[dict] = None, timeout: Optional[float] = None,
                cancel: Optional[threading.Event] = None) -> Any:
        """Send a request and block until its result arrives.

        ``cancel``: when this event is set (from another thread, or a progress handler) the request is
        cancelled with ``$/cancelRequest`` and the engine's answer (usually -32800) is raised. A
        ``KeyboardInterrupt`` while waiting (Ctrl-C, or a notebook's interrupt button) cancels the request the
        same way, waits up to 10 s for the engine to confirm, and is then re-raised, so the engine does not go
        on computing for nobody.

        Raises:
            SegBridgeError: the engine answered with an error object (subclass by code).
            SegBridgeTimeout: no answer within ``timeout`` seconds (the request is then cancelled).
            SegBridgeConnectionError: the connection closed before the answer.
        """
        with self._id_lock:
            rid = next(self._ids)
        pending = _Pending(method)
        with self._pending_lock:
            if self._closed_reason is not None:
                raise SegBridgeConnectionError(f"connection closed: {self._closed_reason}")
            self._pending[rid] = pending
        msg = {"jsonrpc": "2.0", "id": rid, "method": method, "params": params if params is not None else {}}
        try:
            self._send(msg)
        except BaseException:
            with self._pending_lock:
                self._pending.pop(rid, None)
            raise
        if not self._wait(rid, pending, timeout, cancel):
            with self._pending_lock:
                self._pending.pop(rid, None)
            if pending.response is None:
                try:
                    self.notify("$/cancelRequest", {"id": rid})
                except SegBridgeError:
                    pass
                raise SegBridgeTimeout(f"{method}: no response within {timeout} s", method)
        response = pending.response
        if response is None:
            raise SegBridgeConnectionError(f"{method}: connection closed: {self._closed_reason}")
        if "error" in response and response["error"] is not None:
            raise error_from_json(response["error"])
        if "result" not in response:
            raise SegBridgeProtocolError(f"{method}: response without result or error: {response!r}")
        return response["result"]

    def _wait(self, rid: int, pending: "_Pending", timeout: Optional[float], cancel: Optional[threading.Event]) -> bool:
        """Waits for the response; False on timeout. Cancels on ``cancel`` or Ctrl-C (see :meth:`request`)."""
        if cancel is None:
            try:
                return pending.event.wait(timeout)
            except KeyboardInterrupt:
                self._cancel_and_wait(rid, pending)
                raise
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            while not pending.event.wait(0.05):
                if cancel.is_set():
                    self._cancel_and_wait(rid, pending)
                    return pending.event.is_set() or pending.event.wait(timeout)
                if deadline is not None and time.monotonic() >= deadline:
                    return False
            return True
        except KeyboardInterrupt:
            self._cancel_and_wait(rid, pending)
            raise

    def _cancel_and_wait(self, rid: int, pending: "_Pending", grace: float = 10.0) -> None:
        try:
            self.notify("$/cancelRequest", {"id": rid})
        except SegBridgeError:
            return
        pending.event.wait(grace)

    def add_progress_handler(self, token: str, handler: Callable[[dict], None]) -> None:
        """Route notifications whose params carry ``progressToken == token`` to ``handler(params)``.

        The handler runs on the reader thread, before the response of the request that carried the token
        is handed back (the engine sends every notification of a request before its response).
        """
        self._progress[token] = handler

    def remove_progress_handler(self, token: str) -> None:
        self._progress.pop(token, None)

    def notify(self, method: str, params: Optional[dict] = None) -> None:
        """Send a notification (no response expected)."""
        self._send({"jsonrpc": "2.0", "method": method, "params": params if params is not None else {}})

    def close(self) -> None:
        """Close the transport and fail every outstanding request."""
        self._fail_all("closed by client")
        self.transport.close()

    def join_reader(self, timeout: Optional[float] = None) -> None:
        """Wait for the reader thread to see the end of the stream."""
        self._reader.join(timeout)

    # ----------------------------------------------------------------- private

    def _send(self, msg: dict) -> None:
        data = encode_frame(msg)
        with self._write_lock:
            if self._closed_reason is not None and self._closed_reason == "closed by client":
                raise SegBridgeConnectionError("connection closed by client")
            self.transport.write(data)

    def _read_loop(self) -> None:
        parser = FrameParser()
        reason = "end of stream"
        try:
            while True:
                chunk = self.transport.read()
                if not chunk:
                    break
                for msg in parser.feed(chunk):
                    self._dispatch(msg)
        except SegBridgeProtocolError as e:
            reason = f"protocol error: {e.message}"
            try:
                self.transport.close()
            except Exception:
                pass
        except Exception as e:  # pragma: no cover - defensive
            reason = f"reader failed: {e!r}"
        self._fail_all(reason)

    def _dispatch(self, msg: Any) -> None:
        if isinstance(msg, list):  # batch response
            for m in msg:
                self._dispatch(m)
            return
        if not isinstance(msg, dict):
            return
        if "method" in msg:
            if "id" in msg and msg["id"] is not None:
                # A request from the engine: we serve none.
                try:
                    self._send({
                        "jsonrpc": "2.0",
                        "id": msg["id"],
                        "error": {"code": -32601, "message": f"client does not handle {msg['method']}"},
                    })
                except SegBridgeError:
                    pass
                return
            self.notifications.append(msg)
            params = msg.get("params")
            token = params.get("progressToken") if isinstance(params, dict) else None
            handler = self._progress.get(token) if isinstance(token, str) else None
            if handler is not None:
                try:
                    handler(params)
                except Exception as e:  # never let a callback kill the reader
                    print(f"segbridge: progress callback failed: {e!r}", file=sys.stderr)
            if self.on_notification is not None:
                try:
                    self.on_notification(msg["method"], msg.get("params"))
                except Exception as e:  # never let a callback kill the reader
                    print(f"segbridge: notification callback failed: {e!r}", file=sys.stderr)
            return
        rid = msg.get("id")
        with self._pending_lock:
            pending = self._pending.pop(rid, None)
        if pending is None:
            return  # late answer to a timed-out request, or an error without id
        pending.response = msg
        pending.event.set()

    def _fail_all(self, reason: str) -> None:
        with self._pending_lock:
            if self._closed_reason is None:
                self._closed_reason = reason
            pending = list(self._pending.values())
            self._pending.clear()
        for p in pending:
            p.event.set()
