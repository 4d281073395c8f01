"""Python client for the SegBridge interactive-segmentation engine.

Quick start::

    import segbridge
    with segbridge.Engine.launch() as engine:            # segbridge serve --stdio
        image = engine.open_image("photo.png")           # or a numpy array, or PNG bytes
        session = engine.create_session(image, "random-walker")
        result = session.click(120, 80)                  # MaskResult; result.mask is HxW bool
        result = session.scribble([[10, 10], [40, 12]], positive=False)

Only the standard library and numpy are used.
"""

__version__ = "0.1.0"

from .errors import (  # noqa: E402
    ERROR_CLASSES,
    EngineStoppingError,
    ImageError,
    InternalEngineError,
    InvalidArgumentError,
    InvalidInteractionError,
    InvalidParamsError,
    JournalUnavailableError,
    LimitExceededError,
    MethodNotFoundError,
    ModelUnavailableError,
    NotInitializedError,
    NothingToRedoError,
    NothingToUndoError,
    ProtocolVersionError,
    RequestCancelledError,
    SegBridgeConnectionError,
    SegBridgeError,
    SegBridgeProtocolError,
    SegBridgeTimeout,
    UnknownImageError,
    UnknownModelError,
    UnknownSessionError,
    UnsupportedInteractionError,
)
from .codecs import png_decode, png_encode, rasterize_multipolygon, rle_decode, rle_encode  # noqa: E402
from .framing import FrameParser, encode_frame  # noqa: E402
from .evaluation import EvalModelSummary, EvalResults, EvalSample  # noqa: E402
from .client import (  # noqa: E402
    MASK_FORMATS,
    PROTOCOL_VERSION,
    Engine,
    Image,
    MaskResult,
    PipeServer,
    Session,
    VolumeResult,
    dotnet_temp_dir,
    find_executable,
    pipe_path,
)
from .pipes import check_pipe_socket, pipe_folder  # noqa: E402

__all__ = [name for name in dir() if not name.startswith("_")]
