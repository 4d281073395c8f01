"""Exceptions raised by the SegBridge client.

Every failure the engine reports is a JSON-RPC error object ``{code, message, data}``; the
client raises it as :class:`SegBridgeError` (or the subclass registered for its code, see
:data:`ERROR_CLASSES`). Client-side failures (timeouts, a closed connection, a malformed frame)
are also :class:`SegBridgeError` subclasses, with ``code`` set to ``None``.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Type

# Stable codes, mirroring src/SegBridge.Protocol/ErrorCodes.cs.
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
REQUEST_CANCELLED = -32800
NOT_INITIALIZED = 1001
PROTOCOL_VERSION_MISMATCH = 1002
INVALID_ARGUMENT = 1003
LIMIT_EXCEEDED = 1004
ENGINE_STOPPING = 1005
UNKNOWN_MODEL = 2001
MODEL_UNAVAILABLE = 2002
UNSUPPORTED_INTERACTION = 2003
UNKNOWN_IMAGE = 3001
IMAGE_UNREADABLE = 3002
IMAGE_TOO_LARGE = 3003
PATH_NOT_ALLOWED = 3004
UNKNOWN_SESSION = 4001
INVALID_INTERACTION = 4002
NOTHING_TO_UNDO = 4003
NOTHING_TO_REDO = 4004
JOURNAL_UNAVAILABLE = 5001
INTERNAL_ERROR = 9001


class SegBridgeError(Exception):
    """A failed request.

    Attributes:
        code: the JSON-RPC error code (``None`` for client-side failures).
        message: the engine's message.
        data: the error's ``data`` member (``{"field", "allowed", "codeName"}``) or ``None``.
    """

    def __init__(self, code: Optional[int], message: str, data: Any = None):
        super().__init__(code, message, data)
        self.code = code
        self.message = message
        self.data = data

    @property
    def field(self) -> Optional[str]:
        """The offending parameter, when the engine named one."""
        return self.data.get("field") if isinstance(self.data, dict) else None

    @property
    def allowed(self) -> Optional[str]:
        """What the engine would have accepted, when it said."""
        return self.data.get("allowed") if isinstance(self.data, dict) else None

    @property
    def code_name(self) -> Optional[str]:
        """The symbolic name of the code (e.g. ``"UnknownModel"``), when the engine sent one."""
        return self.data.get("codeName") if isinstance(self.data, dict) else None

    def __str__(self) -> str:
        head = f"[{self.code}] {self.message}" if self.code is not None else self.message
        extra = []
        if self.code_name:
            extra.append(self.code_name)
        if self.field:
            extra.append(f"field={self.field}")
        if self.allowed:
            extra.append(f"allowed={self.allowed}")
        return f"{head} ({', '.join(extra)})" if extra else head

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, data={self.data!r})"


class SegBridgeTimeout(SegBridgeError, TimeoutError):
    """No response arrived within the call's timeout (the request is cancelled with ``$/cancelRequest``)."""

    def __init__(self, message: str, method: Optional[str] = None):
        super().__init__(None, message, None)
        self.method = method


class SegBridgeConnectionError(SegBridgeError, ConnectionError):
    """The connection to the engine is closed, or the engine process exited."""

    def __init__(self, message: str):
        super().__init__(None, message, None)


class SegBridgeProtocolError(SegBridgeError):
    """The engine sent something that is not a valid frame or JSON-RPC message."""

    def __init__(self, message: str):
        super().__init__(None, message, None)


class MethodNotFoundError(SegBridgeError):
    """-32601: the engine has no such method."""


class InvalidParamsError(SegBridgeError):
    """-32602: the params object could not be bound."""


class RequestCancelledError(SegBridgeError):
    """-32800: the request was cancelled."""


class NotInitializedError(SegBridgeError):
    """1001: a method other than ``initialize``/``ping`` was called before ``initialize``."""


class ProtocolVersionError(SegBridgeError):
    """1002: the engine refused this client's protocol version."""


class InvalidArgumentError(SegBridgeError):
    """1003: an argument is missing or out of range (see ``.field`` and ``.allowed``)."""


class LimitExceededError(SegBridgeError):
    """1004: a size or count limit was exceeded."""


class EngineStoppingError(SegBridgeError):
    """1005: the engine is stopping (SIGTERM/SIGINT): it sends the replies in flight but runs no new request.

    Reconnect once the service runs again.
    """


class UnknownModelError(SegBridgeError):
    """2001: no model with that id."""


class ModelUnavailableError(SegBridgeError):
    """2002: the model is registered but cannot run (missing weights, …)."""


class UnsupportedInteractionError(SegBridgeError):
    """2003: the model does not accept this interaction kind."""


class UnknownImageError(SegBridgeError):
    """3001: no image with that id."""


class ImageError(SegBridgeError):
    """3002-3004: the image could not be read, is too large, or its path is not allowed."""


class UnknownSessionError(SegBridgeError):
    """4001: no session with that id."""


class InvalidInteractionError(SegBridgeError):
    """4002: the interaction is malformed or outside the image."""


class NothingToUndoError(SegBridgeError):
    """4003: undo with no applied interaction."""


class NothingToRedoError(SegBridgeError):
    """4004: redo with nothing undone."""


class JournalUnavailableError(SegBridgeError):
    """5001: the engine could not write the change to its journal (e.g. its disk is full).

    The change was refused and not applied; the session is as it was. Retry once the engine's
    state folder has room again.
    """


class InternalEngineError(SegBridgeError):
    """9001 (or -32603): something unexpected failed inside the engine."""


ERROR_CLASSES: Dict[int, Type[SegBridgeError]] = {
    METHOD_NOT_FOUND: MethodNotFoundError,
    INVALID_PARAMS: InvalidParamsError,
    REQUEST_CANCELLED: RequestCancelledError,
    -32603: InternalEngineError,
    NOT_INITIALIZED: NotInitializedError,
    PROTOCOL_VERSION_MISMATCH: ProtocolVersionError,
    INVALID_ARGUMENT: InvalidArgumentError,
    LIMIT_EXCEEDED: LimitExceededError,
    ENGINE_STOPPING: EngineStoppingError,
    UNKNOWN_MODEL: UnknownModelError,
    MODEL_UNAVAILABLE: ModelUnavailableError,
    UNSUPPORTED_INTERACTION: UnsupportedInteractionError,
    UNKNOWN_IMAGE: UnknownImageError,
    IMAGE_UNREADABLE: ImageError,
    IMAGE_TOO_LARGE: ImageError,
    PATH_NOT_ALLOWED: ImageError,
    UNKNOWN_SESSION: UnknownSessionError,
    INVALID_INTERACTION: InvalidInteractionError,
    NOTHING_TO_UNDO: NothingToUndoError,
    NOTHING_TO_REDO: NothingToRedoError,
    JOURNAL_UNAVAILABLE: JournalUnavailableError,
    INTERNAL_ERROR: InternalEngineError,
}


def error_from_json(error: Any) -> SegBridgeError:
    """Build the exception for a JSON-RPC ``error`` member."""
    if not isinstance(error, dict):
        return SegBridgeProtocolError(f"malformed error object: {error!r}")
    code = error.get("code")
    message = error.get("message") or ""
    data = error.get("data")
    cls = ERROR_CLASSES.get(code, SegBridgeError) if isinstance(code, int) else SegBridgeError
    return cls(code, message, data)
