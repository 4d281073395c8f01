"""Unit tests of the pure codecs: RLE, PNG (built with zlib here), polygon rasterisation."""

import struct
import zlib

import numpy as np
import pytest

from segbridge.codecs import png_decode, png_encode, rasterize_multipolygon, rle_decode, rle_encode


def test_rle_decode_column_major_background_first():
    # 2x3 mask, column-major flat order: (0,0) (1,0) (0,1) (1,1) (0,2) (1,2)
    counts = [1, 2, 2, 1]  # bg, fg fg, bg bg, fg
    m = rle_decode(counts, 2, 3)
    expected = np.array([[0, 1, 0], [1, 0, 1]], dtype=bool)
    assert m.dtype == bool and m.shape == (2, 3)
    np.testing.assert_array_equal(m, expected)


def test_rle_decode_starting_with_foreground_has_leading_zero():
    m = rle_decode([0, 4], 2, 2)
    assert m.all()


def test_rle_roundtrip_random():
    rng = np.random.default_rng(1)
    for shape in [(1, 1), (7, 5), (64, 33)]:
        m = rng.random(shape) > 0.6
        np.testing.assert_array_equal(rle_decode(rle_encode(m), *shape), m)
    assert rle_decode(rle_encode(np.zeros((3, 4), bool)), 3, 4).sum() == 0
    assert rle_encode(np.ones((2, 2), bool)) == [0, 4]


def test_rle_decode_rejects_bad_sum():
    with pytest.raises(ValueError):
        rle_decode([1, 2], 2, 2)


def _manual_png(rows_with_filters, width, height, colour=0, depth=8, interlace=0):
    """A PNG built byte by byte (independently of png_encode): rows already include the filter byte."""
    def chunk(t, b):
        return struct.pack(">I", len(b)) + t + b + struct.pack(">I", zlib.crc32(t + b) & 0xFFFFFFFF)
    raw = b"".join(rows_with_filters)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, interlace))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def test_png_decode_hand_built_filters():
    # 3x2 grey, each row with a different filter, values computed by hand
    # target image:
    #   row0: 10 20 30
    #   row1: 15 25 40
    #   row2: 200 100 50
    rows = [
        bytes([1, 10, 10, 10]),                # Sub: 10, 10+10, 20+10
        bytes([2, 5, 5, 10]),                  # Up: 10+5, 20+5, 30+10
        bytes([3, (200 - 7) & 0xFF, (100 - (200 + 25) // 2) & 0xFF, (50 - (100 + 40) // 2) & 0xFF]),  # Average
    ]
    img = png_decode(_manual_png(rows, 3, 3))
    np.testing.assert_array_equal(img, [[10, 20, 30], [15, 25, 40], [200, 100, 50]])


def test_png_decode_paeth_hand_built():
    # 2x2 grey: row0 None [50, 60]; row1 Paeth, target [55, 70]
    # x=0: a=0, b=50, c=0 -> p=50, pa=50, pb=0, pc=50 -> b=50 -> byte 5
    # x=1: a=55, b=60, c=50 -> p=65, pa=10, pb=5, pc=15 -> b=60 -> byte 10
    img = png_decode(_manual_png([bytes([0, 50, 60]), bytes([4, 5, 10])], 2, 2))
    np.testing.assert_array_equal(img, [[50, 60], [55, 70]])


@pytest.mark.parametrize("filter_type", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("channels", [1, 3, 4])
def test_png_roundtrip_every_filter(filter_type, channels):
    rng = np.random.default_rng(filter_type * 10 + channels)
    shape = (13, 17) if channels == 1 else (13, 17, channels)
    img = rng.integers(0, 256, size=shape, dtype=np.uint8)
    out = png_decode(png_encode(img, filter_type=filter_type))
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, img)


def test_png_mask_0_255():
    m = np.zeros((5, 9), np.uint8)
    m[1:4, 2:7] = 255
    np.testing.assert_array_equal(png_decode(png_encode(m, filter_type=4)) > 0, m > 0)


def test_png_16_bit_and_1_bit():
    # 16-bit grey 2x1: 0x1234, 0xfedc
    png16 = _manual_png([bytes([0, 0x12, 0x34, 0xFE, 0xDC])], 2, 1, depth=16)
    out = png_decode(png16)
    assert out.dtype == np.uint16
    np.testing.assert_array_equal(out, [[0x1234, 0xFEDC]])
    # 1-bit grey 10x1: 1011001110 -> bytes 0b10110011, 0b10000000
    png1 = _manual_png([bytes([0, 0b10110011, 0b10000000])], 10, 1, depth=1)
    np.testing.assert_array_equal(png_decode(png1), [[1, 0, 1, 1, 0, 0, 1, 1, 1, 0]])


def test_png_multiple_idat_chunks_and_bad_input():
    img = np.arange(64, dtype=np.uint8).reshape(8, 8)
    data = png_encode(img)
    # split the IDAT into two chunks
    sig, rest = data[:8], data[8:]
    ihdr_len = 12 + 13
    ihdr, rest = rest[:ihdr_len], rest[ihdr_len:]
    (n,) = struct.unpack(">I", rest[:4])
    payload = rest[8:8 + n]
    def chunk(t, b):
        return struct.pack(">I", len(b)) + t + b + struct.pack(">I", zlib.crc32(t + b) & 0xFFFFFFFF)
    split = sig + ihdr + chunk(b"IDAT", payload[:5]) + chunk(b"tEXt", b"k\x00v") + chunk(b"IDAT", payload[5:]) + chunk(b"IEND", b"")
    np.testing.assert_array_equal(png_decode(split), img)
    with pytest.raises(ValueError):
        png_decode(b"not a png")
    with pytest.raises(ValueError):
        png_decode(_manual_png([bytes([0, 1])], 1, 1, interlace=1))
    with pytest.raises(ValueError):
        png_decode(_manual_png([bytes([7, 1])], 1, 1))  # unknown filter


def test_rasterize_square_and_hole():
    # outer square [1,6)x[1,6) counter-clockwise, hole [2,4)x[2,4)
    outer = [[1, 1], [1, 6], [6, 6], [6, 1], [1, 1]]
    hole = [[2, 2], [4, 2], [4, 4], [2, 4], [2, 2]]
    m = rasterize_multipolygon([[outer, hole]], 8, 8)
    expected = np.zeros((8, 8), bool)
    expected[1:6, 1:6] = True
    expected[2:4, 2:4] = False
    np.testing.assert_array_equal(m, expected)


def test_rasterize_two_polygons_clipped():
    a = [[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]]
    b = [[[5, 5], [12, 5], [12, 12], [5, 12], [5, 5]]]  # runs off the 8x8 image
    m = rasterize_multipolygon([a, b], 8, 8)
    assert m[:2, :2].all() and m[5:, 5:].all()
    assert m.sum() == 4 + 9
    assert rasterize_multipolygon([], 3, 3).sum() == 0
