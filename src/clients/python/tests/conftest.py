"""Shared fixtures. Makes the package importable without installation and finds the real engine.

Environment:
    SEGBRIDGE_EXE   the engine executable (default: <repo>/src/SegBridge.Host/bin/{Release,Debug}/net10.0/segbridge)
    SEGBRIDGE_DATA  the data root (default: <repo>/../shared/data)
"""

import os
import sys
from pathlib import Path

import pytest

CLIENT_DIR = Path(__file__).resolve().parent.parent
if str(CLIENT_DIR) not in sys.path:
    sys.path.insert(0, str(CLIENT_DIR))

REPO_ROOT = CLIENT_DIR.parent.parent.parent  # src/clients/python -> repo


def engine_executable():
    """Path of the real engine, or None."""
    env = os.environ.get("SEGBRIDGE_EXE")
    if env:
        return env if os.path.exists(env) else None
    for config in ("Release", "Debug"):
        p = REPO_ROOT / "src" / "SegBridge.Host" / "bin" / config / "net10.0" / "segbridge"
        if p.exists():
            return str(p)
    return None


def data_root():
    return Path(os.environ.get("SEGBRIDGE_DATA") or (REPO_ROOT.parent / "shared" / "data"))


def engine_args(*extra):
    """Command-line arguments for test engines: the data folder may be opened by path (it lies outside the
    default allowed roots: home, working folder, temp folder), and journals stay out of the user's state folder."""
    args = [*extra, "--no-journal"]
    if data_root().is_dir():
        args += ["--allow-root", str(data_root())]
    return args


@pytest.fixture(scope="session")
def segbridge_exe():
    exe = engine_executable()
    if exe is None:
        pytest.skip("SegBridge engine not built: set SEGBRIDGE_EXE or run "
                    "`dotnet build SegBridge.sln` (expects src/SegBridge.Host/bin/{Release,Debug}/net10.0/segbridge)")
    return exe


@pytest.fixture(scope="session")
def grabcut_image():
    images = data_root() / "grabcut" / "images"
    if not images.is_dir():
        pytest.skip(f"GrabCut images not found under {images} (set SEGBRIDGE_DATA)")
    files = sorted(p for p in images.iterdir() if p.suffix.lower() in (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff"))
    if not files:
        pytest.skip(f"no images in {images}")
    return files[0]
