#!/usr/bin/env bash
# The CGAM paper's Table 1 in kind for the shipped click models (none, f-BRS, G-BRS, CGAM on one base network)
# and the three classical models, on held-out images: GlaS testA_* (training used train_*) and WSSS4LUAD at odd
# positions (training used the even ones), tumour region (class 0). The paper's pathology protocol: the initial
# mask is the base network's click-free prediction (--guide-model click-hist-none), only patches whose initial IoU
# lies in 50-70 % are kept, robot clicks to 90 % IoU or 20 clicks; and the natural protocol from an empty mask.
# Every held-out image of both sets.
# Run from the repository root with `segbridge` on PATH (bash .ci/setup) or SEGBRIDGE=path/to/segbridge.
# The empty-mask runs evaluate one model per process and join the parts with eval-merge: with several click models
# in one process a TorchSharp "Tensor invalid -- empty handle" in the refiner's snapshot ended those runs part-way
# (see README.md); each model alone runs every image to the end. Two queues run side by side, one libtorch thread each.
set -euo pipefail
SEGBRIDGE=${SEGBRIDGE:-segbridge}
DATA=${SEGBRIDGE_DATA:-../shared/data}
OUT=examples/click-models
PARTS=${PARTS:-/tmp/click-model-parts}   # per-model runs, joined below (not committed)
MODELS=click-hist-none,click-hist-f-brs,click-hist-g-brs,click-hist-cgam,random-walker,watershed,graph-cut
GLAS=(--dataset "$DATA/glas" --image-pattern 'testA_*' --ignore -1)
WSSS=(--dataset "$DATA/wsss4luad" --mask-kind class --class 0 --ignore -1 --alternate odd)
COMMON=(--max 20 --targets 0.85,0.90 --threads 1)
INITIAL=(--guide-model click-hist-none --initial-iou 0.5,0.7)
EMPTY=(click-hist-none click-hist-f-brs click-hist-g-brs click-hist-cgam random-walker,watershed,graph-cut)
empty_mask() {   # set name, then the dataset options
  local name=$1 parts=() m; shift
  for m in "${EMPTY[@]}"; do
    parts+=("$PARTS/empty-$name-${m//,/+}")
    "$SEGBRIDGE" eval "$@" --model "$m" "${COMMON[@]}" --out "${parts[-1]}"
  done
  "$SEGBRIDGE" eval-merge "${parts[@]}" --out $OUT/empty-$name
}
(
  "$SEGBRIDGE" eval "${GLAS[@]}" --model $MODELS "${COMMON[@]}" "${INITIAL[@]}" --out $OUT/initial-glas-testA
  "$SEGBRIDGE" eval "${WSSS[@]}" --model $MODELS "${COMMON[@]}" "${INITIAL[@]}" --out $OUT/initial-wsss4luad-odd
  empty_mask wsss4luad-odd "${WSSS[@]}"
) &
empty_mask glas-testA "${GLAS[@]}" &
wait
