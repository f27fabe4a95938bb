#!/usr/bin/env bash
# The GPU check, in one command: ingest SciFact on the GPU and print one JSON line with bare
# encode chunks/s, ingest chunks/s, their ratio, GPU utilisation during ingest and peak GPU
# memory. Finishes within 8 minutes (the run is cut at GPU_CHECK_SECONDS, default 450).
#
#   bench/gpu_check.sh [--wheels DIR] [--device cuda|cuda:N|mps|cpu] [--docs N] [--batch N]
#                      [--dataset DIR]
#
# --wheels DIR: make a fresh venv (GPU_CHECK_VENV, default /tmp/gpu-check-venv) and install
#   the project's dependencies from DIR alone (pip --no-index): put a CUDA build of torch
#   there. Without it, the python on PATH is used as it is.
# Try it without a GPU: bench/gpu_check.sh --device cpu --docs 100
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

wheels=""
args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --wheels) wheels="$2"; shift 2 ;;
        --wheels=*) wheels="${1#--wheels=}"; shift ;;
        *) args+=("$1"); shift ;;
    esac
done

log="$(mktemp -t gpu-check.XXXXXX)"
trap 'rm -f "$log"' EXIT

fail() {  # still one JSON line, so a script reading the output sees why
    python3 - "$1" "$log" <<'EOF'
import json, sys
tail = open(sys.argv[2], errors="replace").read().strip().splitlines()[-5:]
print(json.dumps({"check": "gpu", "error": sys.argv[1], "log_tail": tail}))
EOF
    exit 1
}

if [ -n "$wheels" ]; then
    venv="${GPU_CHECK_VENV:-/tmp/gpu-check-venv}"
    python3 -m venv "$venv" >>"$log" 2>&1 || fail "cannot create a venv at $venv"
    # shellcheck disable=SC1091
    . "$venv/bin/activate"
    python -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))' \
        >"$venv/requirements.txt" 2>>"$log" || fail "cannot read pyproject.toml (Python 3.11+ needed)"
    PIP_CONFIG_FILE=/dev/null pip install --quiet --no-index --find-links "$wheels" \
        -r "$venv/requirements.txt" >>"$log" 2>&1 || fail "pip install from $wheels failed"
fi

export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
set +e
timeout "${GPU_CHECK_SECONDS:-450}" python bench/gpu_check.py "${args[@]}" 2>>"$log" | tail -n 1 >"$log.out"
status=("${PIPESTATUS[@]}")
set -e
if [ "${status[0]}" -eq 124 ]; then
    rm -f "$log.out"
    fail "timed out after ${GPU_CHECK_SECONDS:-450} s"
fi
if [ "${status[0]}" -ne 0 ]; then
    rm -f "$log.out"
    fail "gpu_check.py exited with ${status[0]}"
fi
cat "$log.out"
rm -f "$log.out"
