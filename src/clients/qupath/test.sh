#!/usr/bin/env bash
# Tests the QuPath script (segbridge.groovy) with Debian's `groovy` against the REAL engine. QuPath itself is not
# installed: test/QuPathStandIn.groovy stands in for the QuPath objects the script touches (image data, selected
# annotations and their ROIs, addObject, ROI/JTS construction). The JSON-RPC over `segbridge serve --stdio`, the
# slide opening through OpenSlide, the level-0/downsample coordinates and the GeoJSON parsing are real.
# The slide: a pyramidal JPEG TIFF built here with vips (2000×1500 white, red rectangle 200..800 × 300..900 with a
# white hole 560..680 × 660..780).
# Needs: groovy (apt), vips (libvips-tools), libopenslide0, and the engine: $SEGBRIDGE_EXE, else the Release build
# in this repository, else segbridge on PATH.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../../.." && pwd)"
command -v groovy >/dev/null || { echo "groovy not found (apt-get install groovy)" >&2; exit 1; }
command -v vips >/dev/null || { echo "vips not found (apt-get install libvips-tools)" >&2; exit 1; }
if [ -z "${SEGBRIDGE_EXE:-}" ] && [ -x "$REPO/src/SegBridge.Host/bin/Release/net10.0/segbridge" ]; then
  export SEGBRIDGE_EXE="$REPO/src/SegBridge.Host/bin/Release/net10.0/segbridge"
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/segbridge-qupath.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
echo "== qupath: build the test slide with vips =="
vips black "$WORK/black.v" 2000 1500 --bands 3
vips linear "$WORK/black.v" "$WORK/slide.v" "1 1 1" "255 255 255" --uchar
vips draw_rect "$WORK/slide.v" "220 30 30" 200 300 600 600 --fill
vips draw_rect "$WORK/slide.v" "255 255 255" 560 660 120 120 --fill
vips tiffsave "$WORK/slide.v" "$WORK/slide.tif" --tile --pyramid --compression jpeg --tile-width 256 --tile-height 256

echo "== qupath: segbridge.groovy against the real engine (${SEGBRIDGE_EXE:-segbridge on PATH}) =="
cd "$HERE"
groovy -cp "$HERE/test" "$HERE/test/QuPathScriptTest.groovy" "$WORK/slide.tif"
