#!/usr/bin/env bash
# One run on a GPU machine: environment, a probe of the CuPy behaviours the backend relies on,
# the GPU-marked tests, then benchmarks/gpu.py. Results land in $OUT (default /tmp/gpu_check).
# Needs CuPy, Numba and (for the comparison) PyTorch there; tfx is imported from this checkout.
set -u
OUT=${OUT:-/tmp/gpu_check}
mkdir -p "$OUT" /tmp/site
ln -sfn "$PWD/framework" /tmp/site/tfx
export PYTHONPATH=/tmp/site:${PYTHONPATH:-} PYTHONUNBUFFERED=1
PY=${PY:-python3}
CORE_S=${CORE_S:-100}
OPS_S=${OPS_S:-110}
BENCH_S=${BENCH_S:-120}
PER_TEST=$($PY -c "import pytest_timeout" 2>/dev/null && echo "--timeout 90")

{ nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv
  $PY -c "import cupy, numpy, numba, sys; print(sys.version.split()[0], 'cupy', cupy.__version__, 'numpy', numpy.__version__, 'numba', numba.__version__)"
  $PY -c "import torch; print('torch', torch.__version__, torch.cuda.is_available())"
  $PY -c "import tfx; print('tfx ok, GPUs:', tfx.config.list_physical_devices('GPU'))"
} 2>&1 | tee "$OUT/env.txt"

$PY - <<'PYEOF' 2>&1 | tee "$OUT/probe.txt"
import numpy as np, cupy as cp
a = cp.arange(4, dtype=cp.float32)
for what, f in [("cupy + numpy 0-d", lambda: np.add(a, np.array(2, np.float32))),
                ("cupy + numpy scalar", lambda: np.add(a, np.float32(2))),
                ("cupy[numpy int index]", lambda: a[np.array([0, 2])]),
                ("np.concatenate(cupy, numpy)", lambda: np.concatenate([a, np.ones(2, np.float32)])),
                ("np.matmul(cupy, numpy)", lambda: np.matmul(a[None], np.ones((4, 1), np.float32)))]:
    try:
        r = f()
        print(f"{what}: ok -> {type(r).__module__}")
    except Exception as e:
        print(f"{what}: {type(e).__name__}: {e}")
PYEOF

# The placement/fit/kernel tests first, then the op cases (each new op compiles a CUDA kernel
# on a fresh machine, so they take longest), each stage under its own limit.
timeout "$CORE_S" $PY -m pytest tests/gpu -k "not op_case" tests/framework/test_device.py \
    tests/framework/backend/test_cuda_kernels.py -p no:cacheprovider -q -rfE \
    $PER_TEST -o addopts="" 2>&1 | tee "$OUT/tests_core.txt"
echo "core tests exit: ${PIPESTATUS[0]}" | tee -a "$OUT/tests_core.txt"
timeout "$OPS_S" $PY -m pytest tests/gpu -k "op_case" -p no:cacheprovider -q -rfE \
    --tb=line $PER_TEST -o addopts="" 2>&1 | tee "$OUT/tests_ops.txt"
echo "op tests exit: ${PIPESTATUS[0]}" | tee -a "$OUT/tests_ops.txt"

timeout "$BENCH_S" $PY benchmarks/gpu.py --steps 30 --json "$OUT/bench.json" 2>&1 \
    | tee "$OUT/bench.txt"
echo "bench exit: ${PIPESTATUS[0]}" | tee -a "$OUT/bench.txt"
