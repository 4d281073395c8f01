#!/bin/sh
# Mem3D on BraTS FLAIR (tumour = label > 0): training, the Table 2 comparison of slice choices, and timing.
# Run from the repository root after `dotnet build -m:1 SegBridge.sln`. One libtorch thread (a shared 2-core CPU).
set -e
SEG=${SEGBRIDGE_EXE:-src/SegBridge.Host/bin/Debug/net10.0/segbridge}
DATA=${SEGBRIDGE_DATA:-../shared/data}

# 1. Training (about 7 min here): the first 3 cases sorted by name; brats_2013_pat0006_1 is held out.
# The engine reads the manifests copied beside the executable, so the new files go there too (else the
# evaluations below would still run the previous weights until the next build).
if [ "$1" = "--train" ]; then
  $SEG train --family mem3d --data $DATA/brats --image-pattern 'Flair*' --label-pattern 'OTMultiClass*' --cases 3 \
    --out plugin-manifests --name mem3d-brats --iterations 800 --memory-iterations 600 --batch 8 --seed 1 --threads 1
  BUILT=$(dirname "$SEG")/plugin-manifests
  cp plugin-manifests/mem3d-brats.json "$BUILT/"
  cp plugin-manifests/weights/mem3d-brats.safetensors plugin-manifests/weights/mem3d-brats.training.json "$BUILT/weights/"
fi

# 2. Table 2 in kind: 6 rounds (box robot on the chosen slice), next slice by f_QA's score (lowest; most expected
# wrong pixels), by an oracle, at random. Leave-one-case-out over all four cases: cross_validation.sh.
$SEG eval --mode volume --dataset $DATA/brats --image-pattern 'Flair*' --label-pattern 'OTMultiClass*' --model mem3d-brats \
  --rounds 6 --slice-choice quality,expected-errors,oracle,random --cases brats_2013_pat0006_1 --out examples/mem3d/heldout --threads 1
$SEG eval --mode volume --dataset $DATA/brats --image-pattern 'Flair*' --label-pattern 'OTMultiClass*' --model mem3d-brats \
  --rounds 6 --slice-choice quality,expected-errors,oracle,random --cases brats_2013_pat0006_1 --slice-prior --out examples/mem3d/heldout-slice-prior --threads 1
$SEG eval --mode volume --dataset $DATA/brats --image-pattern 'Flair*' --label-pattern 'OTMultiClass*' --model mem3d-brats \
  --rounds 6 --slice-choice quality,expected-errors,oracle,random --cases brats_2013_pat0003_1,brats_2013_pat0004_1,brats_2013_pat0005_1 --out examples/mem3d/training-cases --threads 1
$SEG eval --mode volume --dataset $DATA/brats --image-pattern 'Flair*' --label-pattern 'OTMultiClass*' --model mem3d-brats \
  --rounds 6 --slice-choice quality,expected-errors,oracle,random --cases brats_2013_pat0003_1,brats_2013_pat0004_1,brats_2013_pat0005_1 --slice-prior --out examples/mem3d/training-cases-slice-prior --threads 1

# 3. Time per round on a 240x240x155 volume, engine against Debian's PyTorch with the same weights.
/usr/bin/python3 tests/benchmarks/mem3d_vs_pytorch.py --threads 1 --repeat 2 | tee examples/mem3d/timing.txt
