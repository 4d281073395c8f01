"""LSP-style ``Content-Length`` framing of UTF-8 JSON messages.

A frame is a header block of ``Name: value`` lines, each ended by ``\\r\\n``, an empty line, then
exactly ``Content-Length`` bytes of UTF-8 JSON. Other headers (``Content-Type``) are accepted and
ignored. :class:`FrameParser` is incremental: feed it whatever a read returned (half a header,
several frames at once) and it yields every complete message.
"""

from __future__ import annotations

import json
from typing import Any, Iterator, List

from .errors import SegBridgeProtocolError

_SEPARATOR = b"\r\n\r\n"
_MAX_HEADER = 8192


def encode_frame(message: Any) -> bytes:
    """Serialise ``message`` as compact UTF-8 JSON with a ``Content-Length`` header."""
    body = json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def frame_bytes(body: bytes) -> bytes:
    """Wrap an already encoded body in a frame."""
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class FrameParser:
    """Incremental parser for Content-Length framed messages.

    >>> p = FrameParser()
    >>> data = encode_frame({"a": 1}) + encode_frame({"b": 2})
    >>> list(p.feed(data[:5])), list(p.feed(data[5:]))
    ([], [{'a': 1}, {'b': 2}])

    ``decode=False`` yields the raw body bytes instead of parsed JSON.
    """

    def __init__(self, decode: bool = True):
        self._buf = bytearray()
        self._need = -1  # body length once the header is parsed, -1 while reading a header
        self._decode = decode

    @property
    def buffered(self) -> int:
        """Bytes received but not yet part of a complete frame."""
        return len(self._buf)

    def feed(self, data: bytes) -> Iterator[Any]:
        """Add ``data`` and yield every message now complete (in order)."""
        self._buf += data
        return iter(self._drain())

    def _drain(self) -> List[Any]:
        out: List[Any] = []
        buf = self._buf
        while True:
            if self._need < 0:
                end = buf.find(_SEPARATOR)
                if end < 0:
                    if len(buf) > _MAX_HEADER:
                        raise SegBridgeProtocolError("frame header too long or missing blank line")
                    break
                self._need = self._parse_header(bytes(buf[:end]))
                del buf[: end + len(_SEPARATOR)]
            if len(buf) < self._need:
                break
            body = bytes(buf[: self._need])
            del buf[: self._need]
            self._need = -1
            if self._decode:
                try:
                    out.append(json.loads(body.decode("utf-8")))
                except (UnicodeDecodeError, ValueError) as e:
                    raise SegBridgeProtocolError(f"frame body is not UTF-8 JSON: {e}") from None
            else:
                out.append(body)
        return out

    @staticmethod
    def _parse_header(block: bytes) -> int:
        length = None
        for line in block.split(b"\r\n"):
            if not line.strip():
                continue
            name, sep, value = line.partition(b":")
            if not sep:
                raise SegBridgeProtocolError(f"malformed header line {line[:80]!r}")
            if name.strip().lower() == b"content-length":
                try:
                    length = int(value.strip())
                except ValueError:
                    raise SegBridgeProtocolError(f"bad Content-Length {value[:40]!r}") from None
                if length < 0:
                    raise SegBridgeProtocolError(f"negative Content-Length {length}")
        if length is None:
            raise SegBridgeProtocolError(f"frame header without Content-Length: {block[:120]!r}")
        return length
