#!/usr/bin/env bash
# Compiles the plugin for Java 8 against ImageJ 1.x and packages build/segbridge_imagej.jar (with
# plugins.config). The name has an underscore because ImageJ only installs plugin jars whose name has one.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
IJ_JAR="${IJ_JAR:-/usr/share/java/ij.jar}"
B="$HERE/build"
rm -rf "$B/classes" "$B/test-classes"; mkdir -p "$B/classes" "$B/test-classes"
javac --release 8 -Xlint:all -Xlint:-options -encoding UTF-8 -cp "$IJ_JAR" -d "$B/classes" $(find "$HERE/src/main/java" -name '*.java')
cp "$HERE/plugins.config" "$B/classes/"
jar cf "$B/segbridge_imagej.jar" -C "$B/classes" .
javac --release 8 -Xlint:-options -encoding UTF-8 -cp "$IJ_JAR:$B/classes" -d "$B/test-classes" $(find "$HERE/src/test/java" -name '*.java')
echo "built $B/segbridge_imagej.jar"
