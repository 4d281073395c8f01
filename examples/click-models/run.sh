#!/usr/bin/env bash
# The CGAM paper's Table 1 in kind for the shipped click models (none, f-BRS, G-BRS, CGAM on one base network)
# and the three classical models, on held-out images: GlaS testA_* (training used train_*) and WSSS4LUAD at odd
# positions (training used the even ones), tumour region (class 0). The paper's pathology protocol: the initial
# mask is the base network's click-free prediction (--guide-model click-hist-none), only patches whose initial IoU
# lies in 50-70 % are kept, robot clicks to 90 % IoU or 20 clicks.
# Run from the repository root with `segbridge` on PATH (bash .ci/setup) or SEGBRIDGE=path/to/segbridge.
# Two evaluations run at a time with one libtorch thread each. A sample takes about 6 minutes for the seven models
# on 2 loaded cores, so the committed GlaS table stops at the first GLAS_LIMIT=6 kept patches in name order
# (GLAS_LIMIT=0: all); WSSS4LUAD is complete. EMPTY=1 adds the natural protocol from an empty mask (not committed:
# about 10 CPU hours here).
set -euo pipefail
SEGBRIDGE=${SEGBRIDGE:-segbridge}
DATA=${SEGBRIDGE_DATA:-../shared/data}
OUT=examples/click-models
GLAS_LIMIT=${GLAS_LIMIT:-6}
MODELS=click-hist-none,click-hist-f-brs,click-hist-g-brs,click-hist-cgam,random-walker,watershed,graph-cut
GLAS=(--dataset "$DATA/glas" --image-pattern 'testA_*' --ignore -1)
WSSS=(--dataset "$DATA/wsss4luad" --mask-kind class --class 0 --ignore -1 --alternate odd)
COMMON=(--model $MODELS --max 20 --targets 0.85,0.90 --threads 1)
INITIAL=(--guide-model click-hist-none --initial-iou 0.5,0.7)
LIMIT=(); [ "$GLAS_LIMIT" -gt 0 ] && LIMIT=(--limit "$GLAS_LIMIT")
"$SEGBRIDGE" eval "${GLAS[@]}" "${COMMON[@]}" "${INITIAL[@]}" "${LIMIT[@]}" --out $OUT/initial-glas-testA &
"$SEGBRIDGE" eval "${WSSS[@]}" "${COMMON[@]}" "${INITIAL[@]}" --out $OUT/initial-wsss4luad-odd &
wait
if [ "${EMPTY:-0}" = 1 ]; then
  "$SEGBRIDGE" eval "${GLAS[@]}" "${COMMON[@]}" --out $OUT/empty-glas-testA &
  "$SEGBRIDGE" eval "${WSSS[@]}" "${COMMON[@]}" --out $OUT/empty-wsss4luad-odd &
  wait
fi
