#!/usr/bin/env bash
# The CGAM paper's Table 1 in kind for the shipped click models (none, f-BRS, G-BRS, CGAM on one base network)
# and the three classical models, on held-out images: GlaS testA_* (training used train_*) and WSSS4LUAD at odd
# positions (training used the even ones), tumour region (class 0). The paper's pathology protocol: the initial
# mask is the base network's click-free prediction (--guide-model click-hist-none), only patches whose initial IoU
# lies in 50-70 % are kept, robot clicks to 90 % IoU or 20 clicks; and the natural protocol from an empty mask.
# Every held-out image of both sets.
# Run from the repository root with `segbridge` on PATH (bash .ci/setup) or SEGBRIDGE=path/to/segbridge.
# Two queues run side by side with one libtorch thread each, balanced by measured cost (roughly 25, 15, 30 and 60
# minutes on this 2-core machine).
set -euo pipefail
SEGBRIDGE=${SEGBRIDGE:-segbridge}
DATA=${SEGBRIDGE_DATA:-../shared/data}
OUT=examples/click-models
MODELS=click-hist-none,click-hist-f-brs,click-hist-g-brs,click-hist-cgam,random-walker,watershed,graph-cut
GLAS=(--dataset "$DATA/glas" --image-pattern 'testA_*' --ignore -1)
WSSS=(--dataset "$DATA/wsss4luad" --mask-kind class --class 0 --ignore -1 --alternate odd)
COMMON=(--model $MODELS --max 20 --targets 0.85,0.90 --threads 1)
INITIAL=(--guide-model click-hist-none --initial-iou 0.5,0.7)
(
  "$SEGBRIDGE" eval "${GLAS[@]}" "${COMMON[@]}" "${INITIAL[@]}" --out $OUT/initial-glas-testA
  "$SEGBRIDGE" eval "${WSSS[@]}" "${COMMON[@]}" "${INITIAL[@]}" --out $OUT/initial-wsss4luad-odd
  "$SEGBRIDGE" eval "${WSSS[@]}" "${COMMON[@]}" --out $OUT/empty-wsss4luad-odd
) &
"$SEGBRIDGE" eval "${GLAS[@]}" "${COMMON[@]}" --out $OUT/empty-glas-testA &
wait
