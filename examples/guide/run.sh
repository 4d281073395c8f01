#!/usr/bin/env bash
# How good is a click-free initial segmentation on held-out patches? The evaluation harness records each
# sample's initial IoU against its start mask (--guide-model); one watershed click per sample keeps the run short
# (the click itself is not what is measured). Prints the mean initial IoU per guide and dataset.
# Run from the repository root with `segbridge` on PATH or SEGBRIDGE=path/to/segbridge.
set -euo pipefail
SEGBRIDGE=${SEGBRIDGE:-segbridge}
DATA=${SEGBRIDGE_DATA:-../shared/data}
OUT=examples/guide
for guide in ${GUIDES:-guide-hist click-hist-none guide-hist-imagenet}; do
  "$SEGBRIDGE" eval --dataset "$DATA/glas" --image-pattern 'testA_*' --ignore -1 --model watershed --guide-model $guide \
    --max 1 --out $OUT/glas-testA-$guide
  "$SEGBRIDGE" eval --dataset "$DATA/wsss4luad" --mask-kind class --class 0 --ignore -1 --alternate odd --model watershed \
    --guide-model $guide --max 1 --out $OUT/wsss4luad-odd-$guide
done
/usr/bin/python3 - "$OUT" <<'PY'
import json, pathlib, sys
for f in sorted(pathlib.Path(sys.argv[1]).glob("*/results.json")):
    samples = json.loads(f.read_text())["results"]["models"][0]["samples"]
    ious = [s["initialIou"] for s in samples]
    print(f"{f.parent.name}: mean initial IoU {sum(ious) / len(ious):.3f} over {len(ious)} patches")
PY
