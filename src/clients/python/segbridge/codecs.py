"""Pure (numpy + stdlib) codecs for the mask formats of the SegBridge protocol.

* :func:`rle_decode` / :func:`rle_encode`: COCO *uncompressed* RLE — ``counts`` are run lengths
  over the mask in column-major (Fortran) order, starting with a run of background (0).
* :func:`png_decode` / :func:`png_encode`: a tiny PNG codec built on :mod:`zlib`. The decoder
  handles non-interlaced PNGs with bit depth 8 or 16 (and 1/2/4-bit grey), colour types 0, 2, 4
  and 6, and all five filter types (None, Sub, Up, Average, Paeth).
* :func:`rasterize_multipolygon`: even-odd scan conversion of a GeoJSON MultiPolygon in pixel
  coordinates (pixel ``(x, y)`` covers ``[x, x+1) x [y, y+1)``; it is inside when its centre is).
"""

from __future__ import annotations

import math
import struct
import zlib
from typing import Sequence

import numpy as np

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

__all__ = [
    "rle_decode",
    "rle_encode",
    "png_decode",
    "png_encode",
    "rasterize_multipolygon",
    "PNG_SIGNATURE",
]


def rle_decode(counts: Sequence[int], height: int, width: int) -> np.ndarray:
    """Decode COCO uncompressed RLE into an ``(height, width)`` bool array.

    ``counts`` alternate background/foreground run lengths in column-major order and must sum to
    ``height * width``.
    """
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum()) if counts.size else 0
    if total != height * width:
        raise ValueError(f"RLE counts sum to {total}, expected {height}*{width}={height * width}")
    if (counts < 0).any():
        raise ValueError("RLE counts must be non-negative")
    values = (np.arange(counts.size) % 2).astype(bool)
    flat = np.repeat(values, counts)
    return flat.reshape((width, height)).T.copy()


def rle_encode(mask: np.ndarray) -> list:
    """Encode a 2-D mask as COCO uncompressed RLE counts (column-major, background first)."""
    flat = np.asarray(mask).astype(bool).T.ravel()
    if flat.size == 0:
        return [0]
    change = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    bounds = np.concatenate(([0], change, [flat.size]))
    runs = np.diff(bounds).tolist()
    if flat[0]:
        runs.insert(0, 0)
    return runs


# ---------------------------------------------------------------- PNG

_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def _unfilter(raw: bytes, height: int, stride: int, bpp: int) -> np.ndarray:
    """Undo PNG scanline filters; returns an ``(height, stride)`` uint8 array."""
    expected = height * (stride + 1)
    if len(raw) < expected:
        raise ValueError(f"PNG image data too short: {len(raw)} < {expected}")
    rows = np.frombuffer(raw, dtype=np.uint8, count=expected).reshape(height, stride + 1)
    out = np.zeros((height, stride), dtype=np.uint8)
    prev = np.zeros(stride, dtype=np.uint8)
    for y in range(height):
        ftype = int(rows[y, 0])
        line = rows[y, 1:]
        if ftype == 0:  # None
            cur = line.copy()
        elif ftype == 1:  # Sub: cumulative sum along each byte lane, mod 256
            cur = np.empty(stride, dtype=np.uint8)
            for lane in range(bpp):
                cur[lane::bpp] = np.cumsum(line[lane::bpp], dtype=np.uint8)
        elif ftype == 2:  # Up
            cur = line + prev  # uint8 arithmetic wraps mod 256
        elif ftype == 3:  # Average: depends on the reconstructed left byte -> sequential
            cur_l = [0] * stride
            lb = line.tolist()
            pb = prev.tolist()
            for i in range(stride):
                left = cur_l[i - bpp] if i >= bpp else 0
                cur_l[i] = (lb[i] + ((left + pb[i]) >> 1)) & 0xFF
            cur = np.array(cur_l, dtype=np.uint8)
        elif ftype == 4:  # Paeth
            cur_l = [0] * stride
            lb = line.tolist()
            pb = prev.tolist()
            for i in range(stride):
                if i >= bpp:
                    a = cur_l[i - bpp]
                    c = pb[i - bpp]
                else:
                    a = c = 0
                b = pb[i]
                p = a + b - c
                pa = abs(p - a)
                pbb = abs(p - b)
                pc = abs(p - c)
                if pa <= pbb and pa <= pc:
                    pred = a
                elif pbb <= pc:
                    pred = b
                else:
                    pred = c
                cur_l[i] = (lb[i] + pred) & 0xFF
            cur = np.array(cur_l, dtype=np.uint8)
        else:
            raise ValueError(f"unknown PNG filter type {ftype} in row {y}")
        out[y] = cur
        prev = cur
    return out


def png_decode(data: bytes) -> np.ndarray:
    """Decode a PNG into a numpy array.

    Returns ``(H, W)`` for grey (colour type 0, or palette indices for type 3) and ``(H, W, C)``
    otherwise; dtype uint8 for bit depths <= 8, uint16 for 16. Interlaced PNGs are refused.
    """
    data = bytes(data)
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG (bad signature)")
    pos = len(PNG_SIGNATURE)
    ihdr = None
    idat = []
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        ctype = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if len(body) != length:
            raise ValueError(f"truncated PNG chunk {ctype!r}")
        crc_bytes = data[pos + 8 + length : pos + 12 + length]
        if len(crc_bytes) == 4:
            (crc,) = struct.unpack(">I", crc_bytes)
            if crc != zlib.crc32(ctype + body) & 0xFFFFFFFF:
                raise ValueError(f"bad CRC in PNG chunk {ctype!r}")
        pos += 12 + length
        if ctype == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif ctype == b"IDAT":
            idat.append(body)
        elif ctype == b"IEND":
            break
    if ihdr is None:
        raise ValueError("PNG without IHDR")
    width, height, depth, colour, compression, filt, interlace = ihdr
    if compression != 0 or filt != 0:
        raise ValueError("unsupported PNG compression/filter method")
    if interlace != 0:
        raise ValueError("interlaced PNGs are not supported")
    if colour not in _CHANNELS:
        raise ValueError(f"bad PNG colour type {colour}")
    channels = _CHANNELS[colour]
    if depth not in (1, 2, 4, 8, 16) or (depth < 8 and channels != 1):
        raise ValueError(f"unsupported PNG bit depth {depth} for colour type {colour}")
    bits_per_pixel = channels * depth
    stride = (width * bits_per_pixel + 7) // 8
    bpp = max(1, bits_per_pixel // 8)
    raw = zlib.decompress(b"".join(idat))
    rows = _unfilter(raw, height, stride, bpp)
    if depth == 16:
        arr = rows.view(">u2").astype(np.uint16).reshape(height, width, channels)
    elif depth == 8:
        arr = rows.reshape(height, width, channels)
    else:
        bits = np.unpackbits(rows, axis=1)[:, : width * depth]
        bits = bits.reshape(height, width, depth)
        weights = (1 << np.arange(depth - 1, -1, -1)).astype(np.uint8)
        arr = (bits * weights).sum(axis=2, dtype=np.uint8).reshape(height, width, 1)
    return arr[:, :, 0] if channels == 1 else arr


def _chunk(ctype: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + ctype + body + struct.pack(">I", zlib.crc32(ctype + body) & 0xFFFFFFFF)


def png_encode(image: np.ndarray, filter_type: int = 0, level: int = 6) -> bytes:
    """Encode a uint8 ``(H, W)`` / ``(H, W, C)`` array (C in 1..4) as an 8-bit PNG.

    ``filter_type`` (0-4) is applied to every row — mostly useful for testing decoders.
    """
    arr = np.asarray(image)
    if arr.dtype == bool:
        arr = arr.astype(np.uint8) * 255
    if arr.dtype != np.uint8:
        raise TypeError("png_encode expects a uint8 or bool array")
    if arr.ndim == 2:
        arr = arr[:, :, None]
    h, w, c = arr.shape
    colour = {1: 0, 2: 4, 3: 2, 4: 6}[c]
    rows = arr.reshape(h, w * c).astype(np.int32)
    out = bytearray()
    prev = np.zeros(w * c, dtype=np.int32)
    for y in range(h):
        cur = rows[y]
        left = np.concatenate((np.zeros(c, np.int32), cur[:-c])) if w * c else cur
        upleft = np.concatenate((np.zeros(c, np.int32), prev[:-c])) if w * c else prev
        if filter_type == 0:
            f = cur
        elif filter_type == 1:
            f = cur - left
        elif filter_type == 2:
            f = cur - prev
        elif filter_type == 3:
            f = cur - ((left + prev) >> 1)
        elif filter_type == 4:
            p = left + prev - upleft
            pa, pb, pc = np.abs(p - left), np.abs(p - prev), np.abs(p - upleft)
            pred = np.where((pa <= pb) & (pa <= pc), left, np.where(pb <= pc, prev, upleft))
            f = cur - pred
        else:
            raise ValueError("filter_type must be 0..4")
        out.append(filter_type)
        out += (f & 0xFF).astype(np.uint8).tobytes()
        prev = cur
    ihdr = struct.pack(">IIBBBBB", w, h, 8, colour, 0, 0, 0)
    return PNG_SIGNATURE + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", zlib.compress(bytes(out), level)) + _chunk(b"IEND", b"")


# ---------------------------------------------------------------- polygons

def rasterize_multipolygon(coordinates, height: int, width: int) -> np.ndarray:
    """Rasterise GeoJSON MultiPolygon ``coordinates`` (polygons → rings → [x, y]) to a bool mask.

    Uses the even-odd rule over every ring of every polygon, sampling pixel centres
    ``(x + 0.5, y + 0.5)``. For the exact pixel-edge polygons the engine emits with tolerance 0
    this reproduces the mask exactly; simplified polygons (tolerance > 0) give an approximation.
    """
    mask = np.zeros((height, width), dtype=bool)
    x0s, y0s, x1s, y1s = [], [], [], []
    for polygon in coordinates or []:
        for ring in polygon:
            pts = np.asarray(ring, dtype=np.float64).reshape(-1, 2)
            if len(pts) < 2:
                continue
            a, b = pts, np.roll(pts, -1, axis=0)
            x0s.append(a[:, 0]); y0s.append(a[:, 1]); x1s.append(b[:, 0]); y1s.append(b[:, 1])
    if not x0s:
        return mask
    x0 = np.concatenate(x0s); y0 = np.concatenate(y0s); x1 = np.concatenate(x1s); y1 = np.concatenate(y1s)
    keep = y0 != y1
    x0, y0, x1, y1 = x0[keep], y0[keep], x1[keep], y1[keep]
    ylo = np.minimum(y0, y1)
    yhi = np.maximum(y0, y1)
    row_first = max(0, int(math.floor(ylo.min())) if ylo.size else 0)
    row_last = min(height - 1, int(math.ceil(yhi.max())) if yhi.size else -1)
    for y in range(row_first, row_last + 1):
        yc = y + 0.5
        sel = (ylo <= yc) & (yhi > yc)
        if not sel.any():
            continue
        xs = x0[sel] + (yc - y0[sel]) * (x1[sel] - x0[sel]) / (y1[sel] - y0[sel])
        xs.sort()
        for xa, xb in zip(xs[0::2], xs[1::2]):
            start = max(0, int(math.ceil(xa - 0.5)))
            stop = min(width, int(math.ceil(xb - 0.5)))
            if stop > start:
                mask[y, start:stop] ^= True
    return mask
