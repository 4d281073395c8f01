"""Where ``segbridge serve --pipe NAME`` puts its socket, and the checks made before talking to it.

The engine binds NAME in a folder only its user can enter: ``$XDG_RUNTIME_DIR/segbridge/`` when
``XDG_RUNTIME_DIR`` is a folder of this user's, else ``$TMPDIR/segbridge-UID/`` (``/tmp`` without
``TMPDIR``); a NAME starting with ``/`` is the socket path itself. Before sending anything the client
checks that the path is a socket owned by this user and that the process listening on it runs as this
user, so a socket another user bound first (a squatter) never receives an ``images/open``.
"""

from __future__ import annotations

import os
import socket
import stat
import struct
from typing import Optional, Union

from .errors import SegBridgeConnectionError

_KINDS = {stat.S_IFREG: "a regular file", stat.S_IFDIR: "a folder", stat.S_IFLNK: "a symbolic link",
          stat.S_IFIFO: "a FIFO", stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device"}


def _temp_dir() -> str:
    tmp = os.environ.get("TMPDIR") or "/tmp/"
    return tmp if tmp.endswith("/") else tmp + "/"


def pipe_folder() -> str:
    """The owner-only folder the engine puts named pipes in (the same rule as the engine's)."""
    uid = os.geteuid()
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and runtime.startswith("/"):
        try:
            st = os.lstat(runtime)
        except OSError:
            st = None
        if st is not None and stat.S_ISDIR(st.st_mode) and st.st_uid == uid:
            return os.path.join(runtime, "segbridge")
    return f"{_temp_dir()}segbridge-{uid}"


def pipe_path(name_or_path: Union[str, os.PathLike]) -> str:
    """Socket path of ``serve --pipe NAME``: a path starting with ``/`` as it is, a NAME inside :func:`pipe_folder`."""
    s = os.fspath(name_or_path)
    if s.startswith("/"):
        return s
    return os.path.join(pipe_folder(), s)


def _user(uid: int) -> str:
    try:
        import pwd
        return f"user id {uid} ({pwd.getpwuid(uid).pw_name})"
    except (ImportError, KeyError):
        return f"user id {uid}"


def check_pipe_socket(path: str) -> None:
    """Refuses ``path`` unless it is a socket owned by this user.

    Raises FileNotFoundError when nothing is there (the engine may still be starting) and
    :class:`SegBridgeConnectionError` for anything else that is not this user's socket.
    """
    st = os.lstat(path)
    if not stat.S_ISSOCK(st.st_mode):
        kind = _KINDS.get(stat.S_IFMT(st.st_mode), "not a socket")
        raise SegBridgeConnectionError(f"refusing to connect to {path}: it is {kind}, not the engine's socket")
    me = os.geteuid()
    if st.st_uid != me:
        raise SegBridgeConnectionError(
            f"refusing to connect to {path}: the socket belongs to {_user(st.st_uid)}, not to you ({_user(me)}); "
            "another user may have taken the pipe name first, so nothing was sent")


def peer_uid(sock: socket.socket) -> Optional[int]:
    """The user id of the process at the other end of a connected Unix socket (Linux SO_PEERCRED); None elsewhere."""
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return None
    _pid, uid, _gid = struct.unpack("3i", sock.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i")))
    return uid


def check_peer(sock: socket.socket, path: str) -> None:
    """Refuses a connection whose listening process runs as another user (checked before anything is sent)."""
    uid = peer_uid(sock)
    me = os.geteuid()
    if uid is not None and uid != me:
        raise SegBridgeConnectionError(
            f"refusing the connection to {path}: the process serving it runs as {_user(uid)}, not as you ({_user(me)}); "
            "nothing was sent")
