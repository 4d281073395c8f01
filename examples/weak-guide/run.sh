#!/usr/bin/env bash
# A small version of Ciga et al.'s S vs S+C experiment (MedIA 2021, "Learning to segment images with
# classification labels"): does adding image-level class labels to a share s of masked patches give a better
# click-free guide than the masked share alone?
#   pixel-level pool: GlaS train_* (85) + EBHI at even positions (150); a seeded share s keeps its masks
#   class pool:       EBHI at even positions (150), label = file-name prefix (adeno, hgin, lgin, normal, polyp, serrated)
#   S   = --no-class-loss: supervised steps on the masked share only
#   S+C = the same masked share (same seed, so the same patches) + alternating class steps through the mask
#   S+Cw = S+C with the class loss weighted 0.1 (--class-weight 0.1), run after the first table was seen
# Held out: GlaS testA_* (60), EBHI odd (150), WSSS4LUAD odd with tumour (class 0, 28). The measure is the initial
# (click-free) IoU of each guide, as in examples/guide (one watershed click keeps the eval short; it is not measured).
# Run from the repository root with `segbridge` on PATH or SEGBRIDGE=path/to/segbridge. Every training run uses
# one thread (about 3.5 min for S, 6 min for S+C on a shared 2-core CPU); weights go to $WORK, not the repository.
set -euo pipefail
SEGBRIDGE=${SEGBRIDGE:-segbridge}
DATA=${SEGBRIDGE_DATA:-../shared/data}
WORK=${WORK:-/tmp/weak-guide-exp}
OUT=examples/weak-guide
RUNS=${RUNS:-"0.3:sc 0.3:s 0.1:sc 0.1:s 1.0:s 1.0:sc 0.3:scw"}
COMMON=(--iterations 300 --batch 8 --crop 160 --seed 1 --threads 1 --backbone none)   # the recorded runs predate the ImageNet backbone
mkdir -p "$WORK"
for run in $RUNS; do
  share=${run%%:*}; kind=${run##*:}
  name=weak-s${share/./}-$kind
  extra=(); [ "$kind" = s ] && extra=(--no-class-loss); [ "$kind" = scw ] && extra=(--class-weight 0.1)
  if [ ! -f "$WORK/models/$name.json" ]; then
    "$SEGBRIDGE" train --family weak-guide --data "$DATA/glas:pattern=train_*" --class-data "$DATA/ebhi:alternate=even" \
      --mask-share "$share" "${extra[@]}" --out "$WORK/models" --name "$name" "${COMMON[@]}" 2> "$WORK/$name.train.log"
  fi
  "$SEGBRIDGE" eval --models "$WORK/models" --dataset "$DATA/glas" --image-pattern 'testA_*' --ignore -1 --model watershed \
    --guide-model "$name" --max 1 --out "$WORK/eval/glas-testA/$name" > /dev/null 2>> "$WORK/$name.eval.log"
  "$SEGBRIDGE" eval --models "$WORK/models" --dataset "$DATA/ebhi" --alternate odd --ignore -1 --model watershed \
    --guide-model "$name" --max 1 --out "$WORK/eval/ebhi-odd/$name" > /dev/null 2>> "$WORK/$name.eval.log"
  "$SEGBRIDGE" eval --models "$WORK/models" --dataset "$DATA/wsss4luad" --mask-kind class --class 0 --ignore -1 --alternate odd \
    --model watershed --guide-model "$name" --max 1 --out "$WORK/eval/wsss4luad-odd/$name" > /dev/null 2>> "$WORK/$name.eval.log"
  echo "$name done"
done
/usr/bin/python3 "$OUT/summarise.py" "$WORK" "$OUT"
