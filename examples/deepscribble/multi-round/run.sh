#!/usr/bin/env bash
# The multi-round DeepScribble run of README.md: train (about 56 minutes with one libtorch thread), then the
# paper's protocol on held-out GlaS testA and WSSS4LUAD odd positions beside the classical models, and GrabCut's
# human scribbles. Run from the repository root with `segbridge` on PATH (bash .ci/setup) or SEGBRIDGE=path.
set -euo pipefail
SEGBRIDGE=${SEGBRIDGE:-segbridge}
DATA=${SEGBRIDGE_DATA:-../shared/data}
OUT=examples/deepscribble/multi-round
TRAINED=${TRAINED:-/tmp/deepscribble-multi-round}   # the trained network, not shipped
"$SEGBRIDGE" train --family deepscribble --guide-weights plugin-manifests/weights/guide-hist-imagenet.safetensors --inputs I+P+D \
  --data "$DATA/glas:pattern=train_*" --data "$DATA/ebhi" --data "$DATA/wsss4luad:class=0:alternate=even" \
  --out "$TRAINED" --name deepscribble-hist-imagenet --iterations 700 --batch 8 --crop 192 --seed 1 --threads 1 \
  --validation-share 0.03 --validation-every 150 --checkpoint-every 50
cp "$TRAINED"/weights/deepscribble-hist-imagenet.training.{json,png} $OUT/
GLAS=(--dataset "$DATA/glas" --image-pattern 'testA_*' --ignore -1)
WSSS=(--dataset "$DATA/wsss4luad" --mask-kind class --class 0 --ignore -1 --alternate odd)
COMMON=(--models "$TRAINED" --guide-model guide-hist-imagenet --initial-iou 0.5,0.75 --max 20 --targets 0.85,0.90 --seed 1 --threads 1)
"$SEGBRIDGE" eval "${GLAS[@]}" --model deepscribble-hist-imagenet --mode scribbles "${COMMON[@]}" --out $OUT/glas-new
"$SEGBRIDGE" eval "${WSSS[@]}" --model deepscribble-hist-imagenet --mode scribbles "${COMMON[@]}" --out $OUT/wsss-new
"$SEGBRIDGE" eval "${GLAS[@]}" --model random-walker,watershed,graph-cut --mode scribbles "${COMMON[@]}" --out $OUT/glas-classical
"$SEGBRIDGE" eval "${WSSS[@]}" --model random-walker,watershed,graph-cut --mode scribbles "${COMMON[@]}" --out $OUT/wsss-classical
for set in 1 2; do
  "$SEGBRIDGE" eval --dataset "$DATA/grabcut" --models "$TRAINED" --model deepscribble-hist-imagenet --mode real-scribbles \
    --scribble-set scribbles-set-$set --max 20 --targets 0.85,0.90 --threads 1 --out $OUT/grabcut-$set
done
