#!/usr/bin/env bash
# The CGAM paper's Table 1 in kind for the shipped click models (none, f-BRS, G-BRS, CGAM on one base network).
# Run from the repository root with `segbridge` on PATH (bash .ci/setup) or SEGBRIDGE=path/to/segbridge.
# Pathology protocol: the initial mask is the base network's click-free prediction (--guide-model), and only
# patches whose initial IoU lies in 50-70 % are kept (--initial-iou), as in the paper. Held-out data only:
# GlaS testA_* (training used train_*), WSSS4LUAD odd positions (training used even), GrabCut (never trained on).
# The sample limits keep the whole run near 20 minutes on 2 CPU cores; drop --limit on a bigger machine.
set -euo pipefail
SEGBRIDGE=${SEGBRIDGE:-segbridge}
DATA=${SEGBRIDGE_DATA:-../shared/data}
OUT=examples/click-models
MODELS=click-hist-none,click-hist-f-brs,click-hist-g-brs,click-hist-cgam
"$SEGBRIDGE" eval --dataset "$DATA/glas" --image-pattern 'testA_*' --ignore -1 --model $MODELS --guide-model click-hist-none \
  --initial-iou 0.5,0.7 --max 20 --targets 0.85,0.90 --limit 5 --seed 1 --out $OUT/glas-testA
"$SEGBRIDGE" eval --dataset "$DATA/wsss4luad" --mask-kind class --class 0 --ignore -1 --alternate odd --model $MODELS \
  --guide-model click-hist-none --initial-iou 0.5,0.7 --max 20 --targets 0.85,0.90 --limit 5 --seed 1 --out $OUT/wsss4luad-tumour
"$SEGBRIDGE" eval --dataset "$DATA/grabcut" --model $MODELS --mode clicks --max 20 --targets 0.85,0.90 --limit 4 --seed 1 --out $OUT/grabcut-clicks
