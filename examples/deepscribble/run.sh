#!/usr/bin/env bash
# DeepScribble's Table 1 and Table 2 in kind, on held-out histology (GlaS testA_*, WSSS4LUAD odd positions) and
# GrabCut's human scribbles. Run from the repository root with `segbridge` on PATH (bash .ci/setup) or
# SEGBRIDGE=path/to/segbridge. About 80 minutes on 2 CPU cores, most of it training the three ablation networks.
set -euo pipefail
SEGBRIDGE=${SEGBRIDGE:-segbridge}
DATA=${SEGBRIDGE_DATA:-../shared/data}
OUT=examples/deepscribble
ABLATION=${ABLATION_MODELS:-/tmp/deepscribble-ablation}   # the three ablation networks are not shipped
TRAIN_DATA=(--data "$DATA/glas:pattern=train_*" --data "$DATA/ebhi" --data "$DATA/wsss4luad:class=0:alternate=even")
GLAS=(--dataset "$DATA/glas" --image-pattern 'testA_*' --ignore -1)
WSSS=(--dataset "$DATA/wsss4luad" --mask-kind class --class 0 --ignore -1 --alternate odd)

# Table 2: RefineNet input ablation. The shipped deepscribble-hist (I+P+D) was trained by the same command
# with --inputs I+P+D (plugin-manifests/weights/deepscribble-hist.training.json); the other three differ only in --inputs.
for v in "I deepscribble-hist-i" "I+P deepscribble-hist-ip" "I+P+S deepscribble-hist-ips"; do
  set -- $v
  "$SEGBRIDGE" train --family deepscribble --guide-weights plugin-manifests/weights/guide-hist.safetensors --inputs "$1" \
    "${TRAIN_DATA[@]}" --out "$ABLATION" --name "$2" --iterations 200 --batch 8 --crop 192 --seed 1 --threads 1
done
for model in deepscribble-hist-i deepscribble-hist-ip deepscribble-hist-ips deepscribble-hist; do
  "$SEGBRIDGE" eval "${GLAS[@]}" --models "$ABLATION" --model $model --mode scribbles --guide-model guide-hist --max 5 --threads 1 --out $OUT/table2/glas-testA-$model
  "$SEGBRIDGE" eval "${WSSS[@]}" --models "$ABLATION" --model $model --mode scribbles --guide-model guide-hist --max 5 --threads 1 --out $OUT/table2/wsss4luad-odd-$model
done

# Table 1: the paper's protocol. Start from GuideNet's mask, keep patches whose initial IoU lies in 50-75 %,
# robot scribbles of at most 0.05 % of the pixels (clicks for the click models), up to 20 interactions.
COMMON=(--guide-model guide-hist --initial-iou 0.5,0.75 --max 20 --targets 0.85,0.90 --limit 10 --seed 1 --threads 1)
"$SEGBRIDGE" eval "${GLAS[@]}" --model random-walker,watershed,graph-cut --mode scribbles "${COMMON[@]}" --out $OUT/table1/glas-testA-classical
"$SEGBRIDGE" eval "${WSSS[@]}" --model random-walker,watershed,graph-cut --mode scribbles "${COMMON[@]}" --out $OUT/table1/wsss4luad-classical
"$SEGBRIDGE" eval "${GLAS[@]}" --model click-hist-f-brs,click-hist-cgam --mode clicks "${COMMON[@]}" --out $OUT/table1/glas-testA-clicks
"$SEGBRIDGE" eval "${WSSS[@]}" --model click-hist-f-brs,click-hist-cgam --mode clicks "${COMMON[@]}" --out $OUT/table1/wsss4luad-clicks
"$SEGBRIDGE" eval "${GLAS[@]}" --model deepscribble-hist --mode scribbles "${COMMON[@]}" --out $OUT/table1/glas-testA-deepscribble
"$SEGBRIDGE" eval "${WSSS[@]}" --model deepscribble-hist --mode scribbles "${COMMON[@]}" --out $OUT/table1/wsss4luad-deepscribble
# Human scribbles on GrabCut (natural images the networks never saw); the classical rows are in examples/evaluation.
for set in 1 2; do
  "$SEGBRIDGE" eval --dataset "$DATA/grabcut" --model deepscribble-hist --mode real-scribbles --scribble-set scribbles-set-$set \
    --max 20 --targets 0.85,0.90 --threads 1 --out $OUT/table1/grabcut-real-scribbles-set-$set
done
/usr/bin/python3 $OUT/tables.py $OUT
