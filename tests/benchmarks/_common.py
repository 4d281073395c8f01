"""Shared helpers for the benchmarks: import the client from the source tree, find the engine and data."""

import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
CLIENT_DIR = REPO_ROOT / "src" / "clients" / "python"
if str(CLIENT_DIR) not in sys.path:
    sys.path.insert(0, str(CLIENT_DIR))


def engine_executable():
    """$SEGBRIDGE_EXE, else the repo's Release or Debug build; exits with a message when missing."""
    env = os.environ.get("SEGBRIDGE_EXE")
    if env:
        return env
    for config in ("Release", "Debug"):
        p = REPO_ROOT / "src" / "SegBridge.Host" / "bin" / config / "net10.0" / "segbridge"
        if p.exists():
            return str(p)
    sys.exit("segbridge engine not built: run `dotnet build SegBridge.sln` or set SEGBRIDGE_EXE")


def data_root():
    return Path(os.environ.get("SEGBRIDGE_DATA") or (REPO_ROOT.parent / "shared" / "data"))
