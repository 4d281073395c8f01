#!/bin/sh
# Leave-one-case-out over the four BraTS cases: for each case, train Mem3D on the other three (the shipped
# command, other cases) and run Table 2 on the left-out case. The fold leaving out brats_2013_pat0006_1 is the
# shipped model itself (same three cases, same seed: the same weights), so its results are examples/mem3d/heldout.
# Run from the repository root after `dotnet build -m:1 SegBridge.sln`; about 9 minutes per fold with one thread.
set -e
SEG=${SEGBRIDGE_EXE:-src/SegBridge.Host/bin/Debug/net10.0/segbridge}
DATA=$(realpath ${SEGBRIDGE_DATA:-../shared/data})/brats
WORK=${CV_WORK:-/tmp/segbridge-mem3d-cv}
FOLDS=${*:-brats_2013_pat0003_1 brats_2013_pat0004_1 brats_2013_pat0005_1}
for OUT in $FOLDS; do
  FOLD=$WORK/$OUT
  rm -rf "$FOLD" && mkdir -p "$FOLD/data" "$FOLD/models"
  for CASE in $(ls "$DATA"); do
    [ "$CASE" = "$OUT" ] || [ ! -d "$DATA/$CASE" ] || ln -s "$DATA/$CASE" "$FOLD/data/$CASE"
  done
  $SEG train --family mem3d --data "$FOLD/data" --image-pattern 'Flair*' --label-pattern 'OTMultiClass*' --cases 3 \
    --out "$FOLD/models" --name mem3d-cv --iterations 800 --memory-iterations 600 --batch 8 --seed 1 --threads 1
  $SEG eval --mode volume --dataset "$DATA" --image-pattern 'Flair*' --label-pattern 'OTMultiClass*' --models "$FOLD/models" --model mem3d-cv \
    --rounds 6 --slice-choice quality,expected-errors,oracle,random --cases "$OUT" --out "examples/mem3d/cross-validation/$OUT" --threads 1
done
/usr/bin/python3 examples/mem3d/cross_validation_table.py examples/mem3d/heldout examples/mem3d/cross-validation/brats_* > examples/mem3d/cross-validation/table.md
cat examples/mem3d/cross-validation/table.md
