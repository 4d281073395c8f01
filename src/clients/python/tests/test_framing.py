"""Unit tests of the Content-Length framing parser."""

import json

import pytest

from segbridge.errors import SegBridgeProtocolError
from segbridge.framing import FrameParser, encode_frame


def test_single_frame():
    p = FrameParser()
    assert list(p.feed(encode_frame({"jsonrpc": "2.0", "id": 1, "result": {}}))) == [{"jsonrpc": "2.0", "id": 1, "result": {}}]
    assert p.buffered == 0


def test_split_byte_by_byte_and_merged():
    msgs = [{"id": i, "text": "é" * i, "nested": {"a": [1, 2, i]}} for i in range(5)]
    stream = b"".join(encode_frame(m) for m in msgs)
    p = FrameParser()
    got = []
    for i in range(len(stream)):
        got.extend(p.feed(stream[i:i + 1]))
    assert got == msgs
    # all at once
    assert list(FrameParser().feed(stream)) == msgs
    # split in the middle of the separator and of the body, merged with the next frame
    p = FrameParser()
    cut = stream.index(b"\r\n\r\n") + 2
    assert list(p.feed(stream[:cut])) == []
    assert list(p.feed(stream[cut:cut + 5])) == []
    assert list(p.feed(stream[cut + 5:])) == msgs


def test_length_counts_utf8_bytes_not_characters():
    body = json.dumps({"s": "µ€𝄞"}, ensure_ascii=False).encode("utf-8")
    frame = b"Content-Length: %d\r\n\r\n" % len(body) + body
    assert list(FrameParser().feed(frame)) == [{"s": "µ€𝄞"}]
    assert encode_frame({"s": "µ€𝄞"}).startswith(b"Content-Length: %d\r\n" % len(body.replace(b": ", b":")))


def test_extra_headers_and_case():
    body = b'{"a":1}'
    frame = b"content-type: application/vscode-jsonrpc; charset=utf-8\r\ncontent-length: 7\r\n\r\n" + body
    assert list(FrameParser().feed(frame + frame)) == [{"a": 1}, {"a": 1}]


def test_raw_mode_and_empty_body():
    p = FrameParser(decode=False)
    assert list(p.feed(b"Content-Length: 3\r\n\r\nabcContent-Length: 0\r\n\r\n")) == [b"abc", b""]


@pytest.mark.parametrize("bad", [
    b"Content-Type: x\r\n\r\n{}",
    b"Content-Length: abc\r\n\r\n",
    b"garbage-without-colon\r\n\r\n",
    b"Content-Length: 2\r\n\r\n{x",
])
def test_malformed(bad):
    with pytest.raises(SegBridgeProtocolError):
        list(FrameParser().feed(bad))


def test_header_too_long():
    with pytest.raises(SegBridgeProtocolError):
        list(FrameParser().feed(b"X" * 10000))
