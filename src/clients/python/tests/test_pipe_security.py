"""The client talks only to a pipe socket of its own user: the engine's folder is owner-only, and a socket
another user bound (a squatter), or a path that is not a socket, is refused before anything is sent.
The cross-user cases need root (to act as a throw-away user); they are skipped, saying so, otherwise."""

import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import pytest

import segbridge
from segbridge import Engine, PipeServer, SegBridgeConnectionError

from conftest import engine_args

PROBE_USER = "segbridge-probe"


def _probe_uid():
    """The uid of a throw-away system user (created if missing); skips unless running as root."""
    if os.geteuid() != 0 or not shutil.which("runuser") or not shutil.which("useradd"):
        pytest.skip("needs root with useradd and runuser to act as a second user")
    import pwd
    try:
        return pwd.getpwnam(PROBE_USER).pw_uid
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", PROBE_USER],
                       check=True, stdin=subprocess.DEVNULL, timeout=30)
        return pwd.getpwnam(PROBE_USER).pw_uid


class _Listener:
    """A Unix socket that accepts connections and records every byte sent to it (what a squatter would see)."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(4)
        self.received = b""
        self.accepted = 0
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            conn.settimeout(2)
            try:
                while True:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    self.received += chunk
            except OSError:
                pass
            conn.close()

    def close(self):
        self.sock.close()


def test_engine_puts_its_pipe_in_a_folder_only_its_user_can_enter(segbridge_exe, tmp_path, monkeypatch):
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    name = f"sbpy-sec-{uuid.uuid4().hex[:6]}"
    with PipeServer.start(name, executable=segbridge_exe, args=engine_args(), timeout=60) as server:
        folder = os.path.dirname(server.path)
        assert server.path == segbridge.pipe_path(name) == f"{tmp_path}/segbridge-{os.geteuid()}/{name}"
        st = os.lstat(folder)
        assert stat.S_ISDIR(st.st_mode) and st.st_uid == os.geteuid()
        assert stat.S_IMODE(st.st_mode) == 0o700
        sock = os.lstat(server.path)
        assert stat.S_ISSOCK(sock.st_mode) and sock.st_uid == os.geteuid() and stat.S_IMODE(sock.st_mode) == 0o600
        with Engine.connect(name, timeout=60) as engine:
            assert engine.ping()


def test_engine_refuses_a_pipe_folder_open_to_others(segbridge_exe, tmp_path, monkeypatch):
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    folder = tmp_path / f"segbridge-{os.geteuid()}"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    run = subprocess.run([segbridge_exe, "serve", "--pipe", "loose", *engine_args()], stdin=subprocess.DEVNULL,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2, run.stderr
    assert "refusing the pipe folder" in run.stderr and "0755" in run.stderr
    assert not (folder / "loose").exists()


def test_client_refuses_a_path_that_is_not_a_socket(tmp_path):
    path = tmp_path / "not-a-socket"
    path.write_bytes(b"")
    with pytest.raises(SegBridgeConnectionError, match="regular file"):
        Engine.connect(str(path), connect_timeout=1)


def test_client_refuses_a_socket_owned_by_another_user_and_sends_it_nothing(tmp_path):
    uid = _probe_uid()
    squatter = _Listener(str(tmp_path / "pipe"))
    try:
        os.chown(squatter.path, uid, -1)
        with pytest.raises(SegBridgeConnectionError, match=f"belongs to user id {uid}"):
            Engine.connect(squatter.path, connect_timeout=1)
        time.sleep(0.2)
        assert squatter.accepted == 0 and squatter.received == b""
    finally:
        squatter.close()


def test_client_refuses_a_socket_served_by_another_users_process():
    """The socket file is this user's, but the process behind it runs as someone else: the peer check catches it."""
    uid = _probe_uid()
    folder = tempfile.mkdtemp(prefix="sbpy-peer-", dir="/tmp")  # pytest's tmp_path is not reachable by the other user
    os.chown(folder, uid, -1)
    path = os.path.join(folder, "pipe")
    script = ("import socket, sys, time\n"
              "s = socket.socket(socket.AF_UNIX)\n"
              f"s.bind({path!r}); s.listen(4)\n"
              "print('listening', flush=True)\n"
              "c, _ = s.accept(); c.settimeout(3)\n"
              "data = b''\n"
              "try:\n"
              "    while True:\n"
              "        chunk = c.recv(65536)\n"
              "        if not chunk: break\n"
              "        data += chunk\n"
              "except OSError: pass\n"
              "print('received', len(data), flush=True)\n")
    squatter = subprocess.Popen(["runuser", "-u", PROBE_USER, "--", sys.executable, "-c", script],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert squatter.stdout.readline().strip() == "listening", squatter.stderr.read()
        os.chown(path, os.geteuid(), -1)
        os.chmod(path, 0o600)
        with pytest.raises(SegBridgeConnectionError, match=f"runs as user id {uid}"):
            Engine.connect(path, connect_timeout=1)
        out, _ = squatter.communicate(timeout=30)
        assert out.strip() == "received 0"
    finally:
        if squatter.poll() is None:
            squatter.kill()
            squatter.wait(10)
        shutil.rmtree(folder, ignore_errors=True)
