"""High-level SegBridge client: :class:`Engine`, :class:`Image`, :class:`Session`, :class:`MaskResult`."""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import IO, Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Union

import numpy as np

from . import __version__ as _client_version
from .codecs import png_decode, rasterize_multipolygon, rle_decode
from .errors import SegBridgeConnectionError, SegBridgeError, SegBridgeTimeout
from .evaluation import EvalResults
from .pipes import check_peer, check_pipe_socket, pipe_path
from .transport import Connection, ProcessTransport, SocketTransport

PROTOCOL_VERSION = "1.3"
MASK_FORMATS = ("rle", "png", "raw", "polygons")

ArrayLike = Any
ImageSource = Union[str, os.PathLike, bytes, bytearray, memoryview, np.ndarray]


# ---------------------------------------------------------------------------- helpers

def dotnet_temp_dir() -> str:
    """The directory .NET's ``Path.GetTempPath()`` returns on Unix: ``$TMPDIR`` or ``/tmp/`` (with a trailing slash)."""
    tmp = os.environ.get("TMPDIR") or "/tmp/"
    return tmp if tmp.endswith("/") else tmp + "/"


def find_executable(executable: Optional[Union[str, os.PathLike]] = None) -> str:
    """Resolve the engine executable: the argument, else ``$SEGBRIDGE_EXE``, else ``segbridge`` on PATH."""
    candidate = executable or os.environ.get("SEGBRIDGE_EXE")
    if candidate:
        candidate = os.fspath(candidate)
        if os.sep in candidate or os.path.exists(candidate):
            if not os.path.exists(candidate):
                raise FileNotFoundError(f"SegBridge engine executable not found: {candidate}")
            return os.path.abspath(candidate)
        found = shutil.which(candidate)
        if found:
            return found
        raise FileNotFoundError(f"SegBridge engine executable not found: {candidate}")
    found = shutil.which("segbridge")
    if not found:
        raise FileNotFoundError("no SegBridge engine executable: pass executable=, set SEGBRIDGE_EXE or put segbridge on PATH")
    return found


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _decode_rle_dto(rle: Mapping[str, Any], height: int, width: int) -> np.ndarray:
    """A protocol ``{size: [h, w], counts}`` mask as a bool array; ``height``/``width`` when it has no size."""
    size = rle.get("size") or [height, width]
    return rle_decode(rle.get("counts") or [], int(size[0]), int(size[1]))


def _unb64(text: Optional[str]) -> bytes:
    return base64.b64decode(text) if text else b""


def _raw_array(arr: np.ndarray) -> dict:
    """Describe a numpy image as the protocol's ``RawArray``."""
    a = np.asarray(arr)
    if a.dtype == np.bool_:
        a = a.astype(np.uint8) * 255
    elif a.dtype == np.float64 or a.dtype == np.float16:
        a = a.astype(np.float32)
    kinds = {("u", 1): "uint8", ("u", 2): "uint16", ("f", 4): "float32"}
    dtype = kinds.get((a.dtype.kind, a.dtype.itemsize))
    if dtype is None:
        raise TypeError(f"image arrays must be uint8, uint16 or float32 (got {a.dtype})")
    if a.ndim == 2:
        channels = 1
    elif a.ndim == 3 and a.shape[2] in (1, 3, 4):
        channels = a.shape[2]
    else:
        raise ValueError(f"image arrays must be HxW or HxWxC with C in 1, 3, 4 (got shape {a.shape})")
    a = np.ascontiguousarray(a.astype(a.dtype.newbyteorder("<"), copy=False))
    return {"width": int(a.shape[1]), "height": int(a.shape[0]), "channels": channels, "dtype": dtype, "data": _b64(a.tobytes())}


# ---------------------------------------------------------------------------- results

def _camel(name: str) -> str:
    """``mask_share`` -> ``maskShare`` (camelCase names pass through)."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


class MaskResult:
    """The mask after an interaction (or from ``sessions/mask``).

    Attributes:
        mask: ``(height, width)`` bool array, decoded from whichever format was requested (rle, png,
            raw; for polygons it is the even-odd rasterisation of :attr:`geometry`, exact for
            tolerance 0 and approximate otherwise).
        format: the format the engine used.
        width, height: mask size.
        bbox: foreground bounding box ``(x, y, width, height)`` or ``None`` when empty.
        foreground_pixels: number of foreground pixels the engine counted.
        interaction_count: number of applied interactions.
        model_ms: milliseconds the model took.
        notes: the model's notes, or ``None``.
        geometry: the GeoJSON MultiPolygon dict (polygons format only).
        raw: the JSON result dict as received.
    """

    def __init__(self, result: dict):
        self.raw = result
        self.session_id: str = result.get("sessionId")
        self.format: str = result.get("format")
        self.width: int = int(result.get("width", 0))
        self.height: int = int(result.get("height", 0))
        bbox = result.get("bbox")
        self.bbox = tuple(bbox) if bbox is not None else None
        self.foreground_pixels: int = int(result.get("foregroundPixels", 0))
        self.interaction_count: int = int(result.get("interactionCount", 0))
        self.model_ms: float = float(result.get("modelMs", 0.0))
        self.notes: Optional[str] = result.get("notes")
        self.geometry: Optional[dict] = result.get("geometry")
        self.mask: Optional[np.ndarray] = self._decode()

    def _decode(self) -> Optional[np.ndarray]:
        r = self.raw
        h, w = self.height, self.width
        fmt = self.format
        if fmt == "rle" or (fmt is None and r.get("rle")):
            return _decode_rle_dto(r.get("rle") or {}, h, w)
        if fmt == "png":
            img = png_decode(_unb64(r.get("data")))
            if img.ndim == 3:
                img = img[:, :, 0]
            return img > 0
        if fmt == "raw":
            data = _unb64(r.get("data"))
            if len(data) != h * w:
                raise SegBridgeError(None, f"raw mask has {len(data)} bytes, expected {w}*{h}={w * h}")
            return np.frombuffer(data, dtype=np.uint8).reshape(h, w) > 0
        if fmt == "polygons":
            geometry = self.geometry or {}
            return rasterize_multipolygon(geometry.get("coordinates") or [], h, w)
        return None

    def __repr__(self) -> str:
        return (
            f"MaskResult(session={self.session_id!r}, format={self.format!r}, size={self.width}x{self.height}, "
            f"fg={self.foreground_pixels}, interactions={self.interaction_count}, model_ms={self.model_ms:.1f})"
        )


class VolumeResult:
    """The result of ``volumes/propagate``.

    Attributes:
        masks: ``(depth, height, width)`` bool array (format ``rle``), or ``None`` for ``nifti``.
        nifti: the mask as ``.nii.gz`` bytes (format ``nifti``), or ``None``.
        quality: per-slice predicted IoU (1 for slices the user segmented).
        interactive_slices, suggested_slice, start_slice, foreground_voxels, model_ms, notes: as sent.
        raw: the JSON result dict as received.
    """

    def __init__(self, result: dict):
        self.raw = result
        self.width, self.height, self.depth = int(result["width"]), int(result["height"]), int(result["depth"])
        self.quality: List[float] = list(result.get("quality") or [])
        self.interactive_slices: List[int] = list(result.get("interactiveSlices") or [])
        self.suggested_slice: Optional[int] = result.get("suggestedSlice")
        self.start_slice: int = int(result.get("startSlice", 0))
        self.foreground_voxels: int = int(result.get("foregroundVoxels", 0))
        self.model_ms: float = float(result.get("modelMs", 0.0))
        self.notes: Optional[str] = result.get("notes")
        self.nifti: Optional[bytes] = _unb64(result["nifti"]) if result.get("nifti") else None
        self.masks: Optional[np.ndarray] = None
        if result.get("slices") is not None:
            self.masks = np.zeros((self.depth, self.height, self.width), dtype=bool)
            for s in result["slices"]:
                self.masks[int(s["slice"])] = _decode_rle_dto(s["rle"], self.height, self.width)

    def __repr__(self) -> str:
        return (f"VolumeResult({self.width}x{self.height}x{self.depth}, interactive={self.interactive_slices}, "
                f"suggested={self.suggested_slice}, fg={self.foreground_voxels}, model_ms={self.model_ms:.0f})")


class Image:
    """An image opened in the engine (``images/open``)."""

    def __init__(self, engine: "Engine", info: dict):
        self.engine = engine
        self.info = info
        self.id: str = info["imageId"]
        self.width: int = int(info["width"])
        self.height: int = int(info["height"])
        self.channels: int = int(info.get("channels", 0))
        self.name: Optional[str] = info.get("name")
        # Volumes (NIfTI): number of axial slices and voxel spacing [x, y, z]; None for 2D images.
        self.depth: Optional[int] = int(info["depth"]) if info.get("depth") is not None else None
        self.spacing: Optional[List[float]] = [float(v) for v in info["spacing"]] if info.get("spacing") is not None else None

    @property
    def shape(self) -> tuple:
        """``(height, width)``."""
        return (self.height, self.width)

    def close(self) -> None:
        """Forget the image in the engine (sessions on it stay usable until closed)."""
        self.engine.request("images/close", {"imageId": self.id})

    def __repr__(self) -> str:
        return f"Image(id={self.id!r}, {self.width}x{self.height}x{self.channels}, name={self.name!r})"


class Session:
    """An interactive segmentation session (``sessions/create``).

    Every interaction returns a :class:`MaskResult`. ``format`` (rle, png, raw, polygons) and
    ``tolerance`` may be given per call; otherwise the session's :attr:`format` is used.
    """

    def __init__(self, engine: "Engine", info: dict, image: Optional[Image] = None, format: str = "rle"):
        self.engine = engine
        self.info = info
        self.id: str = info["sessionId"]
        self.image_id: str = info.get("imageId")
        self.model_id: str = info.get("modelId")
        self.width: int = int(info.get("width", 0))
        self.height: int = int(info.get("height", 0))
        self.image = image
        self.format = format

    # -------------------------------------------------------------- internals

    def _params(self, format: Optional[str], tolerance: Optional[float]) -> dict:
        p: Dict[str, Any] = {"sessionId": self.id, "format": format or self.format}
        if tolerance is not None:
            p["tolerance"] = float(tolerance)
        return p

    def _interact(self, kind: str, payload: dict, format: Optional[str], tolerance: Optional[float]) -> MaskResult:
        params = self._params(format, tolerance)
        params[kind] = payload
        return MaskResult(self.engine.request("sessions/interact", params))

    # ----------------------------------------------------------- interactions

    def click(self, x: float, y: float, positive: bool = True, radius: Optional[float] = None,
              format: Optional[str] = None, tolerance: Optional[float] = None) -> MaskResult:
        """A click at pixel ``(x, y)``; ``positive=False`` marks background; ``radius`` is the seed disk."""
        c: Dict[str, Any] = {"x": float(x), "y": float(y), "positive": bool(positive)}
        if radius is not None:
            c["radius"] = float(radius)
        return self._interact("click", c, format, tolerance)

    def scribble(self, points: ArrayLike, positive: bool = True, width: Optional[float] = None,
                 format: Optional[str] = None, tolerance: Optional[float] = None) -> MaskResult:
        """A polyline through ``points`` (sequence or ``(N, 2)`` array of ``[x, y]``)."""
        pts = np.asarray(points, dtype=np.float64).reshape(-1, 2).tolist()
        s: Dict[str, Any] = {"points": pts, "positive": bool(positive)}
        if width is not None:
            s["width"] = float(width)
        return self._interact("scribble", s, format, tolerance)

    def labels(self, array: ArrayLike, format: Optional[str] = None, tolerance: Optional[float] = None) -> MaskResult:
        """A label image of the session's size: 0 unlabelled, 1 foreground, 2 background (sent raw)."""
        a = np.asarray(array)
        if a.ndim != 2:
            raise ValueError(f"labels must be a 2-D array (got shape {a.shape})")
        if self.width and self.height and a.shape != (self.height, self.width):
            raise ValueError(f"labels shape {a.shape} does not match the session image {(self.height, self.width)}")
        a = np.ascontiguousarray(a.astype(np.uint8, copy=False))
        return self._interact("labels", {"raw": _b64(a.tobytes())}, format, tolerance)

    def box(self, x0: float, y0: float, x1: float, y1: float,
            format: Optional[str] = None, tolerance: Optional[float] = None) -> MaskResult:
        """A box in pixels; ``x1``/``y1`` exclusive."""
        b = {"x0": float(x0), "y0": float(y0), "x1": float(x1), "y1": float(y1)}
        return self._interact("box", b, format, tolerance)

    def extreme_points(self, points: ArrayLike, format: Optional[str] = None,
                       tolerance: Optional[float] = None) -> MaskResult:
        """The object's four extreme points (left-, right-, top- and bottom-most, any order) as ``[[x, y], ...]``,
        for models that list ``extremePoints`` (Mem3D)."""
        pts = np.asarray(points, dtype=float).reshape(-1, 2).tolist()
        return self._interact("extremePoints", {"points": pts}, format, tolerance)

    def undo(self, format: Optional[str] = None, tolerance: Optional[float] = None) -> MaskResult:
        """Remove the last interaction and return the recomputed mask."""
        return MaskResult(self.engine.request("sessions/undo", self._params(format, tolerance)))

    def redo(self, format: Optional[str] = None, tolerance: Optional[float] = None) -> MaskResult:
        """Re-apply the last undone interaction."""
        return MaskResult(self.engine.request("sessions/redo", self._params(format, tolerance)))

    def reset(self, format: Optional[str] = None, tolerance: Optional[float] = None) -> MaskResult:
        """Drop every interaction and return the starting mask (empty, or the session's initial mask).

        Undoable, as an editor's "clear" is: :meth:`undo` right after it brings the interactions back with
        their masks, and :meth:`redo` resets again. An interaction after the reset is undone first.
        """
        return MaskResult(self.engine.request("sessions/reset", self._params(format, tolerance)))

    def mask(self, format: str = "raw", tolerance: Optional[float] = None) -> MaskResult:
        """The current mask in ``format``."""
        return MaskResult(self.engine.request("sessions/mask", self._params(format, tolerance)))

    def history(self) -> dict:
        """``{"sessionId", "interactions": [...], "redoable": [...]}`` (applied oldest first; redoable next first)."""
        return self.engine.request("sessions/history", {"sessionId": self.id})

    # ---------------------------------------------------------------- volumes

    def propagate(self, format: str = "rle", on_slice: Optional[Callable[[int, np.ndarray, float, int, int], None]] = None,
                  timeout: Optional[float] = ...) -> "VolumeResult":
        """Propagate this volume-slice session's mask through the whole volume (``volumes/propagate``).

        The session must be on a volume slice with a volumetric model (e.g. ``mem3d-brats``) and hold a
        non-empty mask in the first round; later, an empty mask is a correction (no object on that slice).
        ``on_slice(slice, mask, quality, done, total)`` is called for every slice as soon as
        its mask is final (streamed ``volumes/progress`` notifications), before this method returns;
        ``mask`` is a ``(height, width)`` bool array.
        """
        params: Dict[str, Any] = {"sessionId": self.id, "format": format}
        token = None
        if on_slice is not None:
            token = f"{self.id}-{uuid.uuid4().hex[:12]}"
            params["progressToken"] = token

            def handler(p: dict) -> None:
                on_slice(int(p["slice"]), _decode_rle_dto(p.get("rle") or {}, 0, 0),
                         float(p.get("quality", 0.0)), int(p["done"]), int(p["total"]))

            self.engine.connection.add_progress_handler(token, handler)
        try:
            return VolumeResult(self.engine.request("volumes/propagate", params, timeout=timeout))
        finally:
            if token is not None:
                self.engine.connection.remove_progress_handler(token)

    def suggest_slice(self, rank: Optional[str] = None) -> dict:
        """``volumes/suggest``: ``{slice, quality, rank, expectedErrors, interactiveSlices}``, the slice to segment
        next. ``rank``: ``"lowestQuality"`` (the engine's default, the paper's rule) or ``"mostExpectedErrors"``
        (the most pixels the quality score expects to be wrong)."""
        params: dict = {"sessionId": self.id}
        if rank is not None:
            params["rank"] = rank
        return self.engine.request("volumes/suggest", params)

    def close(self) -> None:
        """Close the session in the engine."""
        self.engine.request("sessions/close", {"sessionId": self.id})

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc) -> None:
        if not self.engine.closed:
            try:
                self.close()
            except SegBridgeError:
                pass

    def __repr__(self) -> str:
        return f"Session(id={self.id!r}, model={self.model_id!r}, image={self.image_id!r}, {self.width}x{self.height})"


# ---------------------------------------------------------------------------- engine

class Engine:
    """A connection to a SegBridge engine.

    Create one with :meth:`launch` (a private child process over stdio) or :meth:`connect` (a running
    ``segbridge serve --pipe NAME`` service). Both perform ``initialize``; its result is
    :attr:`initialize_result`. Use as a context manager or call :meth:`close`.

    Every method accepts calls from several threads; each request waits at most :attr:`timeout`
    seconds (``None``: forever) unless a ``timeout`` is passed to :meth:`request`.
    """

    def __init__(self, connection: Connection, process: Optional[subprocess.Popen] = None,
                 timeout: Optional[float] = 30.0, kind: str = "stdio"):
        self._conn = connection
        self.process = process
        self.timeout = timeout
        self.kind = kind
        self.initialize_result: Optional[dict] = None
        self._close_lock = threading.Lock()
        self._closed = False

    # ---------------------------------------------------------- construction

    @classmethod
    def launch(cls, executable: Optional[Union[str, os.PathLike]] = None, args: Sequence[str] = (),
               env: Optional[Mapping[str, str]] = None, timeout: Optional[float] = 30,
               stderr: Union[None, str, os.PathLike, IO, int] = None, cwd: Optional[str] = None,
               client_name: str = "segbridge-python", initialize: bool = True) -> "Engine":
        """Start ``<executable> serve --stdio [args...]`` and initialize it.

        Args:
            executable: engine path; default ``$SEGBRIDGE_EXE``, else ``segbridge`` on PATH.
            args: extra command-line arguments after ``serve --stdio``.
            env: variables added to (overriding) this process's environment for the child.
            timeout: per-call timeout in seconds (also used for ``initialize``).
            stderr: where the engine's log goes — ``None`` (this process's stderr), a path (appended
                to), a file object or ``subprocess.DEVNULL``. It is never parsed as protocol.
            cwd: working directory of the child.
            initialize: send ``initialize`` (with ``processId=os.getpid()``) now.
        """
        exe = find_executable(executable)
        child_env = dict(os.environ)
        if env:
            child_env.update({str(k): str(v) for k, v in env.items()})
        log_file = None
        if isinstance(stderr, (str, os.PathLike)):
            log_file = open(stderr, "ab")
            err_target: Any = log_file
        else:
            err_target = stderr
        try:
            proc = subprocess.Popen(
                [exe, "serve", "--stdio", *[str(a) for a in args]],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err_target,
                env=child_env, cwd=cwd, bufsize=0, close_fds=True,
            )
        finally:
            if log_file is not None:
                log_file.close()  # the child holds its own descriptor
        engine = cls(Connection(ProcessTransport(proc)), process=proc, timeout=timeout, kind="stdio")
        if initialize:
            try:
                engine.initialize(client_name=client_name)
            except BaseException:
                engine.close(send_shutdown=False, wait=2)
                raise
        return engine

    @classmethod
    def connect(cls, pipe_name_or_path: Union[str, os.PathLike], timeout: Optional[float] = 30,
                connect_timeout: float = 10.0, client_name: str = "segbridge-python",
                initialize: bool = True) -> "Engine":
        """Connect to a running pipe service and initialize.

        ``pipe_name_or_path`` is the pipe name given to ``serve --pipe`` (the socket NAME in the
        owner-only folder :func:`segbridge.pipe_folder`) or a socket path starting with ``/``. The
        connection is retried until ``connect_timeout`` seconds pass (the service may still be starting).
        Nothing is sent unless the path is a socket of this user's and the process serving it runs as this
        user (:class:`SegBridgeConnectionError` otherwise).
        """
        path = pipe_path(pipe_name_or_path)
        deadline = time.monotonic() + connect_timeout
        while True:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                check_pipe_socket(path)
                sock.connect(path)
                check_peer(sock, path)
                break
            except (FileNotFoundError, ConnectionRefusedError) as e:
                sock.close()
                if time.monotonic() >= deadline:
                    raise SegBridgeConnectionError(f"cannot connect to {path}: {e}") from None
                time.sleep(0.05)
            except SegBridgeConnectionError:
                sock.close()
                raise
            except OSError as e:
                sock.close()
                raise SegBridgeConnectionError(f"cannot connect to {path}: {e}") from None
        engine = cls(Connection(SocketTransport(sock, f"pipe {path}")), timeout=timeout, kind="pipe")
        engine.pipe_path = path
        if initialize:
            try:
                engine.initialize(client_name=client_name)
            except BaseException:
                engine.close(send_shutdown=False)
                raise
        return engine

    # ----------------------------------------------------------------- RPC

    @property
    def connection(self) -> Connection:
        return self._conn

    @property
    def closed(self) -> bool:
        return self._closed or self._conn.closed

    @property
    def notifications(self):
        """Notifications received so far (most recent last; bounded)."""
        return self._conn.notifications

    def request(self, method: str, params: Optional[dict] = None, timeout: Optional[float] = ...,
                cancel: Optional[threading.Event] = None) -> Any:
        """Low-level call: send ``method`` with the by-name ``params`` object, return the result.

        Raises :class:`SegBridgeError` (subclass by code) for an error response and
        :class:`SegBridgeTimeout` after ``timeout`` seconds (default :attr:`timeout`). Setting ``cancel``
        (or Ctrl-C / a notebook interrupt while waiting) cancels the request in the engine.
        """
        if timeout is ...:
            timeout = self.timeout
        try:
            return self._conn.request(method, params, timeout, cancel)
        except SegBridgeConnectionError as e:
            if self.process is not None:
                rc = self.process.poll()
                if rc is None:
                    try:
                        rc = self.process.wait(0.5)
                    except subprocess.TimeoutExpired:
                        rc = None
                if rc is not None:
                    raise SegBridgeConnectionError(f"{e.message} (engine exited with code {rc})") from None
            raise

    def initialize(self, client_name: str = "segbridge-python", protocol_version: str = PROTOCOL_VERSION,
                   process_id: Optional[int] = None) -> dict:
        """Send ``initialize`` (done by :meth:`launch`/:meth:`connect`); stores and returns the result."""
        result = self.request("initialize", {
            "clientName": client_name,
            "clientVersion": _client_version,
            "protocolVersion": protocol_version,
            "processId": os.getpid() if process_id is None else process_id,
        })
        self.initialize_result = result
        return result

    @property
    def capabilities(self) -> dict:
        """``initialize_result["capabilities"]`` (empty before initialize)."""
        return (self.initialize_result or {}).get("capabilities", {})

    def ping(self) -> dict:
        """Round trip; returns ``{"serverTimeUtc": ...}``."""
        return self.request("ping", {})

    def list_models(self) -> dict:
        """``{"models": [ModelInfo...], "manifestErrors": [...]}`` — every registered model and failed manifest."""
        return self.request("models/list", {})

    def model_ids(self) -> List[str]:
        """Ids of every registered model."""
        return [m["id"] for m in self.list_models().get("models", [])]

    def describe_model(self, model_id: str) -> dict:
        """``{"model": ModelInfo, "parametersJson": str, "parameters": dict}`` (``parameters`` is parsed here)."""
        result = self.request("models/describe", {"modelId": model_id})
        try:
            result["parameters"] = json.loads(result.get("parametersJson") or "{}")
        except ValueError:
            result["parameters"] = None
        return result

    def open_image(self, source: ImageSource, name: Optional[str] = None) -> Image:
        """Open an image.

        ``source`` is a numpy array (uint8/uint16/float32, HxW or HxWxC with C in 1/3/4; bool and
        float64 are converted) sent as ``raw``; a ``str``/``Path`` sent as an absolute ``path`` on the
        engine's machine; or ``bytes`` of a PNG/JPEG/TIFF file sent as ``encoded``.
        """
        params: Dict[str, Any] = {}
        if isinstance(source, np.ndarray):
            params["raw"] = _raw_array(source)
        elif isinstance(source, (bytes, bytearray, memoryview)):
            params["encoded"] = _b64(bytes(source))
        elif isinstance(source, (str, os.PathLike)):
            params["path"] = os.path.abspath(os.fspath(source))
        else:
            raise TypeError(f"cannot open an image from {type(source).__name__}")
        if name is not None:
            params["name"] = name
        return Image(self, self.request("images/open", params))

    def create_session(self, image: Union[Image, str], model_id: str, format: str = "rle",
                       region: Optional[Sequence[int]] = None, mpp: Optional[float] = None,
                       downsample: Optional[float] = None, magnification: Optional[float] = None,
                       slice: Optional[int] = None, initial_mask: Optional[str] = None) -> Session:
        """Start a session on ``image`` (an :class:`Image` or an image id) with ``model_id``.

        ``format`` is the default mask format the session's calls ask for. ``region`` = (x, y, width, height)
        in image (level-0) pixels limits the session to part of the image; for a whole-slide image, at most
        one of ``mpp``, ``downsample`` or ``magnification`` picks the working resolution. Clicks and scribbles
        stay in image coordinates; mask rasters cover the region (see ``MaskResult.raw['originX']`` etc.).
        For a volume, ``slice`` (0..depth-1) picks the axial slice the session works on (required there).
        ``initial_mask`` picks the mask before any interaction, which undo and reset return to: ``"none"``
        (empty), ``"model"`` (the model's own prediction without interactions) or a guide model's id (e.g.
        ``"guide-hist-imagenet"``). Left out, the model's default applies (``describe_model(id)["initialMask"]``:
        click models start from their base network's prediction, as in the CGAM paper); ``session.info
        ["initialMask"]`` names the model whose prediction it was (None for an empty start).
        """
        image_id = image.id if isinstance(image, Image) else str(image)
        params: Dict[str, Any] = {"imageId": image_id, "modelId": model_id}
        if region is not None:
            x, y, w, h = (int(v) for v in region)
            params["region"] = {"x": x, "y": y, "width": w, "height": h}
        for key, value in (("mpp", mpp), ("downsample", downsample), ("magnification", magnification)):
            if value is not None:
                params[key] = float(value)
        if slice is not None:
            params["slice"] = int(slice)
        if initial_mask is not None:
            params["initialMask"] = str(initial_mask)
        info = self.request("sessions/create", params)
        return Session(self, info, image if isinstance(image, Image) else None, format=format)

    def list_sessions(self) -> List[dict]:
        """Open sessions (``SessionInfo`` dicts)."""
        return self.request("sessions/list", {}).get("sessions", [])

    def evaluate(self, dataset: Union[str, os.PathLike], models: Union[str, Sequence[str]], mode: str = "clicks",
                 max: int = 20, targets: Sequence[float] = (0.85, 0.90), limit: Optional[int] = None,
                 seed: Optional[int] = None, crop: Optional[Sequence[int]] = None, scribble_set: Optional[str] = None,
                 class_id: Optional[int] = None, mask_kind: Optional[str] = None, ignore_value: Optional[int] = None,
                 initial_masks: Optional[Union[str, os.PathLike]] = None, guide_model: Optional[str] = None,
                 initial_iou: Optional[Sequence[float]] = None, scribble_share: Optional[float] = None,
                 click_radius: Optional[float] = None, out: Optional[Union[str, os.PathLike]] = None,
                 include_samples: bool = True, timeout: Optional[float] = None,
                 image_pattern: Optional[str] = None, alternate: Optional[str] = None) -> "EvalResults":
        """Run the NoC/NoF/NoI/SPC evaluation protocol in the engine (``eval/run``).

        ``dataset`` is a folder with ``images/NAME.*`` and ``masks/NAME.png`` on the engine's machine;
        ``models`` one id or several; ``mode`` ``clicks`` (robot clicks), ``scribbles`` (robot scribbles)
        or ``real-scribbles`` (human strokes from ``scribble_set``, e.g. ``"scribbles-set-1"``).
        ``image_pattern`` keeps images whose name matches a glob (GlaS test set: ``"testA_*"``); ``alternate``
        (``"even"``/``"odd"``) every other image of the name-sorted list, a fixed split for sets without one.
        ``out`` also writes results.json, table.md and iou-curve.png there. Returns
        :class:`~segbridge.evaluation.EvalResults`. ``timeout`` defaults to none: evaluations take minutes.
        """
        params: dict = {"dataset": os.fspath(dataset), "models": [models] if isinstance(models, str) else list(models),
                        "mode": mode, "max": int(max), "targets": [float(t) for t in targets],
                        "includeSamples": bool(include_samples)}
        optional = {"limit": limit, "seed": seed, "crop": None if crop is None else [int(v) for v in crop],
                    "scribbleSet": scribble_set, "classId": class_id, "maskKind": mask_kind, "ignoreValue": ignore_value,
                    "initialMasks": None if initial_masks is None else os.fspath(initial_masks), "guideModel": guide_model,
                    "initialIou": None if initial_iou is None else [float(v) for v in initial_iou],
                    "scribbleShare": scribble_share, "clickRadius": click_radius,
                    "imagePattern": image_pattern, "alternate": alternate,
                    "out": None if out is None else os.fspath(out)}
        params.update({k: v for k, v in optional.items() if v is not None})
        return EvalResults.from_wire(self.request("eval/run", params, timeout=timeout))

    def evaluate_volumes(self, dataset: Union[str, os.PathLike], model: str, rounds: int = 6,
                         slice_choices: Sequence[str] = ("quality",), interaction: str = "box", seed: int = 1,
                         slice_prior: bool = False, image_pattern: Optional[str] = None, label_pattern: Optional[str] = None,
                         cases: Optional[Sequence[str]] = None, out: Optional[Union[str, os.PathLike]] = None,
                         on_progress: Optional[Callable[[dict], None]] = None, cancel: Optional[threading.Event] = None,
                         timeout: Optional[float] = None) -> dict:
        """Mem3D's rounds over a folder of volume case folders (``eval/run`` with mode ``volume``), the same
        path as ``segbridge eval --mode volume``.

        Every round the robot interacts (``interaction``: ``box``, ``extreme`` or ``scribble``) on the slice chosen by
        each of ``slice_choices`` (``quality``, ``expected-errors``, ``oracle``, ``random``) and the model propagates.
        Returns the result's ``volume`` part: ``{model, cases, rounds, meanDice: [{choice, dice}], runs}``, with the
        whole-volume Dice after each round. ``on_progress({name, run, done, total})`` is called after each round;
        set ``cancel`` (or interrupt the kernel) to stop the evaluation.
        """
        params: dict = {"dataset": os.fspath(dataset), "models": [model], "mode": "volume", "rounds": int(rounds),
                        "sliceChoices": list(slice_choices), "volumeInteraction": interaction, "seed": int(seed),
                        "slicePrior": bool(slice_prior)}
        optional = {"imagePattern": image_pattern, "labelPattern": label_pattern,
                    "cases": None if cases is None else list(cases), "out": None if out is None else os.fspath(out)}
        params.update({k: v for k, v in optional.items() if v is not None})
        return self._with_progress("eval/run", params, on_progress, timeout, cancel)["volume"]

    def train(self, family: str, data: Union[str, os.PathLike, Sequence[Union[str, os.PathLike]]],
              out: Union[str, os.PathLike], name: str, class_data: Optional[Sequence[Union[str, os.PathLike]]] = None,
              on_progress: Optional[Callable[[dict], None]] = None, cancel: Optional[threading.Event] = None,
              timeout: Optional[float] = None, **options: Any) -> dict:
        """Train a learned family's weights in the engine (``train/run``), as ``segbridge train`` does.

        ``family``: ``brs-click``, ``guide``, ``weak-guide``, ``deepscribble`` or ``mem3d``; ``data``: training
        folders (``DIR[:pattern=GLOB][:class=ID][:alternate=even|odd]``); ``out``: the manifest folder; ``options``:
        the family's options as Python names or camelCase (``iterations=200, mask_share=0.3, guide_weights=...``).
        ``on_progress({stage, iteration, iterations, loss})`` is called as training goes; set ``cancel`` (or interrupt
        the kernel) to stop it: the engine then writes nothing. Returns ``{weights, record, manifests, seconds, ...}``.
        """
        folders = [data] if isinstance(data, (str, os.PathLike)) else list(data)
        params: dict = {"family": family, "data": [os.fspath(d) for d in folders], "out": os.fspath(out), "name": name,
                        "options": {_camel(k): v for k, v in options.items()}}
        if class_data is not None:
            params["classData"] = [os.fspath(d) for d in class_data]
        return self._with_progress("train/run", params, on_progress, timeout, cancel)

    def _with_progress(self, method: str, params: dict, on_progress: Optional[Callable[[dict], None]],
                       timeout: Optional[float], cancel: Optional[threading.Event]) -> Any:
        token = None
        if on_progress is not None:
            token = f"{method}-{uuid.uuid4().hex[:12]}"
            params["progressToken"] = token
            self._conn.add_progress_handler(token, on_progress)
        try:
            return self.request(method, params, timeout=timeout, cancel=cancel)
        finally:
            if token is not None:
                self._conn.remove_progress_handler(token)

    def shutdown(self, timeout: Optional[float] = 5.0) -> None:
        """Send ``shutdown``: the stdio engine exits, a pipe service closes this connection."""
        self.request("shutdown", {}, timeout=timeout)

    # ------------------------------------------------------------- lifetime

    def close(self, send_shutdown: bool = True, wait: float = 10.0) -> Optional[int]:
        """Shut down and release everything; returns the child's exit code (stdio) or ``None``.

        Sends ``shutdown`` (when initialized and still connected), closes the stream, waits up to
        ``wait`` seconds for the child and kills it if it does not exit. Safe to call twice.
        """
        with self._close_lock:
            if self._closed:
                return self.process.returncode if self.process is not None else None
            self._closed = True
        if send_shutdown and self.initialize_result is not None and not self._conn.closed:
            try:
                self._conn.request("shutdown", {}, min(5.0, wait))
            except SegBridgeError:
                pass
        self._conn.close()
        rc = None
        if self.process is not None:
            try:
                rc = self.process.wait(wait)
            except subprocess.TimeoutExpired:
                self.process.kill()
                rc = self.process.wait()
            for f in (self.process.stdout, self.process.stdin):
                try:
                    if f is not None:
                        f.close()
                except OSError:
                    pass
        self._conn.join_reader(1.0)
        return rc

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self):  # pragma: no cover - best effort
        try:
            if not self._closed and self.process is not None and self.process.poll() is None:
                self.close(send_shutdown=False, wait=1)
        except Exception:
            pass

    def __repr__(self) -> str:
        server = (self.initialize_result or {}).get("serverVersion")
        return f"Engine(kind={self.kind!r}, server={server!r}, closed={self.closed})"


# ---------------------------------------------------------------------------- pipe service

class PipeServer:
    """A ``segbridge serve --pipe NAME`` child process, for tests, benchmarks and scripts.

    >>> with PipeServer.start() as server, Engine.connect(server.name) as engine:
    ...     engine.ping()
    """

    def __init__(self, process: subprocess.Popen, name: str, path: str, pid: int, ready: dict):
        self.process = process
        self.name = name
        self.path = path
        self.pid = pid
        self.ready = ready

    @classmethod
    def start(cls, name: Optional[str] = None, executable: Optional[Union[str, os.PathLike]] = None,
              args: Sequence[str] = (), env: Optional[Mapping[str, str]] = None, timeout: float = 30.0,
              stderr: Union[None, IO, int] = None) -> "PipeServer":
        """Start the service and wait for its ready line ``{"pipe", "path", "pid"}`` on stdout."""
        exe = find_executable(executable)
        name = name or f"segbridge-py-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        child_env = dict(os.environ)
        if env:
            child_env.update({str(k): str(v) for k, v in env.items()})
        proc = subprocess.Popen([exe, "serve", "--pipe", name, *[str(a) for a in args]],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr,
                                env=child_env, bufsize=0, close_fds=True)
        lines: List[str] = []
        ready_box: Dict[str, Any] = {}
        got = threading.Event()

        def reader():
            for raw in iter(proc.stdout.readline, b""):
                text = raw.decode("utf-8", "replace").strip()
                if not got.is_set():
                    lines.append(text)
                    try:
                        obj = json.loads(text)
                    except ValueError:
                        continue
                    if isinstance(obj, dict) and "pipe" in obj:
                        ready_box.update(obj)
                        got.set()
            got.set()

        threading.Thread(target=reader, name="segbridge-pipe-stdout", daemon=True).start()
        if not got.wait(timeout) or not ready_box:
            proc.kill()
            proc.wait()
            raise SegBridgeConnectionError(
                f"segbridge serve --pipe {name} gave no ready line within {timeout} s "
                f"(exit code {proc.returncode}; stdout: {lines[-5:]!r})")
        path = ready_box.get("path") or pipe_path(name)
        return cls(proc, ready_box.get("pipe", name), path, int(ready_box.get("pid", proc.pid)), ready_box)

    def connect(self, **kwargs) -> Engine:
        """:meth:`Engine.connect` to this service."""
        return Engine.connect(self.path, **kwargs)

    def stop(self, wait: float = 10.0) -> Optional[int]:
        """Terminate the service (SIGTERM, then SIGKILL after ``wait`` seconds)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(wait)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def __enter__(self) -> "PipeServer":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
