#!/usr/bin/env bash
# The GPU job: the one command a GPU session runs from the repo root, with the pack carried
# (training/README.md, "GPU job"). Writes gpu-result.pt, log.csv, job.json and train.log to $OUT.
# Options go to job.py (e.g. --minutes 7 --batch 64 --lr 5e-4 --workers 14; --device cpu for smoke.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${OUT:?set OUT to the folder for the results}"
PACK=training/gpu/pack
if [ ! -f "$PACK/manifest.csv" ]; then
  echo "no pack at $PACK: build it with python3 training/gpu/pack.py and carry it" >&2
  exit 2
fi
mkdir -p "$OUT"
PY="$(command -v python3 || command -v python)"
# The pack's libsndfile for the ctypes soundfile stand-in; one BLAS/FFT thread per mixing process.
export TINYHUSH_LIBSNDFILE="$PWD/$PACK/lib/libsndfile.so.1.gz"
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
{
  date -u
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null || echo "no nvidia-smi"
  "$PY" training/gpu/job.py --out "$OUT" "$@"
  date -u
} 2>&1 | tee "$OUT/train.log"
