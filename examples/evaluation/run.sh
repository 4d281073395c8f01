#!/usr/bin/env bash
# Reproduces every table and plot in this folder. Run from the repository root with `segbridge` on PATH
# (bash .ci/setup) or SEGBRIDGE=path/to/segbridge; the GrabCut data lives in ../shared/data/grabcut.
set -euo pipefail
SEGBRIDGE=${SEGBRIDGE:-segbridge}
DATA=${SEGBRIDGE_DATA:-../shared/data}
OUT=examples/evaluation
MODELS=random-walker,watershed,graph-cut
"$SEGBRIDGE" eval --dataset "$DATA/grabcut" --model $MODELS --mode clicks --max 20 --targets 0.85,0.90 --out $OUT/grabcut-clicks
"$SEGBRIDGE" eval --dataset "$DATA/grabcut" --model $MODELS --mode real-scribbles --scribble-set scribbles-set-1 --max 20 --targets 0.85,0.90 --out $OUT/grabcut-real-scribbles-set-1
"$SEGBRIDGE" eval --dataset "$DATA/grabcut" --model $MODELS --mode real-scribbles --scribble-set scribbles-set-2 --max 20 --targets 0.85,0.90 --out $OUT/grabcut-real-scribbles-set-2
"$SEGBRIDGE" eval --dataset "$DATA/grabcut" --model $MODELS --mode scribbles --max 20 --targets 0.85,0.90 --out $OUT/grabcut-robot-scribbles
