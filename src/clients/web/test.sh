#!/usr/bin/env bash
# Browser test of the web viewer: npm deps (OpenSeadragon, playwright-core), a Host build that copies them
# beside the engine (web/vendor), then test/viewer.test.mjs drives Debian's chromium against the real engine.
# Needs: node + npm, the chromium package (`apt-get install chromium`; playwright's own browser download is not used).
# Screenshots: artifacts/web-viewer.png (and artifacts/web-viewer-grabcut.png when ../shared/data/grabcut exists).
set -euo pipefail
cd "$(dirname "$0")"
REPO="$(cd ../../.. && pwd)"
CONFIG="${SEGBRIDGE_CONFIG:-Release}"
command -v /usr/bin/chromium >/dev/null || [ -n "${CHROMIUM:-}" ] || { echo "chromium not found: apt-get install chromium (or set CHROMIUM)" >&2; exit 1; }
npm ci --no-audit --no-fund --loglevel=error
# Build (incremental) after npm ci so the OpenSeadragon files are copied into the engine's web/ folder.
DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 dotnet build "$REPO/src/SegBridge.Host/SegBridge.Host.csproj" -c "$CONFIG" --nologo -v quiet
export SEGBRIDGE_EXE="$REPO/src/SegBridge.Host/bin/$CONFIG/net10.0/segbridge"
node test/viewer.test.mjs
