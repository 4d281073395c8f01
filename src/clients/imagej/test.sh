#!/usr/bin/env bash
# Builds the ImageJ plugin jar (Java 8 bytecode) and tests it against the real engine:
#   1. headless: the plugin's code path (client, session, ROI conversion) on a GrabCut image
#      (synthetic if $SEGBRIDGE_DATA/grabcut is absent): IoU, undo/redo, scribble, errors, pipe (Java 16+);
#   2. GUI under xvfb-run: real ImageJ window, the jar installed as a plugin (plugins.config menu),
#      the menu commands run, screenshot -> artifacts/imagej-screenshot.png (skipped without xvfb-run).
# Needs: javac (default-jdk-headless), /usr/share/java/ij.jar (apt: imagej), xvfb (for step 2), and the
# engine: $SEGBRIDGE_EXE, else the Release build in this repository, else segbridge on PATH.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../../.." && pwd)"
IJ_JAR="${IJ_JAR:-/usr/share/java/ij.jar}"
BUILD="$HERE/build"
ART="$REPO/artifacts"
[ -f "$IJ_JAR" ] || { echo "ImageJ not found at $IJ_JAR (apt-get install imagej, or set IJ_JAR)" >&2; exit 1; }
if [ -z "${SEGBRIDGE_EXE:-}" ] && [ -x "$REPO/src/SegBridge.Host/bin/Release/net10.0/segbridge" ]; then
  export SEGBRIDGE_EXE="$REPO/src/SegBridge.Host/bin/Release/net10.0/segbridge"
fi

echo "== imagej: build (javac --release 8) =="
bash "$HERE/build.sh"

echo "== imagej: headless test against the real engine =="
java -Djava.awt.headless=true -Dsegbridge.repo="$REPO" \
  -cp "$IJ_JAR:$BUILD/segbridge_imagej.jar:$BUILD/test-classes" segbridge.imagej.test.HeadlessTest

echo "== imagej: GUI test under xvfb-run =="
if ! command -v xvfb-run >/dev/null; then
  if [ -n "${SEGBRIDGE_REQUIRE_GUI:-}" ]; then echo "FAIL: xvfb-run not installed (apt-get install xvfb xauth)" >&2; exit 1; fi
  echo "SKIP: xvfb-run not installed (apt-get install xvfb xauth)"; exit 0
fi
# ImageJ home with the jar in plugins/ so Menus installs plugins.config; the test classes are on the
# class path, the plugin jar is not (it must be loaded by ImageJ's plugin class loader only).
IJHOME="$BUILD/ijhome"; rm -rf "$IJHOME"; mkdir -p "$IJHOME/plugins" "$ART"
cp "$BUILD/segbridge_imagej.jar" "$IJHOME/plugins/"
rm -f "$ART/imagej-screenshot.png"
timeout 300 xvfb-run -a -s "-screen 0 1280x1024x24" \
  java -Dplugins.dir="$IJHOME" -Duser.home="$IJHOME" -Dsegbridge.repo="$REPO" \
  -cp "$IJ_JAR:$BUILD/test-classes" segbridge.imagej.test.GuiTest "$ART/imagej-screenshot.png"
echo "screenshot: $ART/imagej-screenshot.png"
