#!/usr/bin/env bash
# Every answer figure of issue 23 on one tree, each set on a fresh data dir, one after
# another (about 18 minutes on two cores): the home set, household2-16, TAT-QA (ruled PDFs,
# one report per question) and SQuAD's tuning file. Extractive answers, the default install.
#
#     bench/all_answers.sh OUT            (run from the checkout; OUT gets one file a set)
#     bench/summarise_answers.py OUT      (the table of figures)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:?usage: bench/all_answers.sh OUT}
mkdir -p "$OUT"
export PYTHONPATH=$PWD
DATA=$(mktemp -d)
trap 'rm -rf "$DATA"' EXIT
echo "tree $(git rev-parse --short HEAD) $(git status --short | wc -l) changed; start $(date -u +%H:%M) load $(cut -d' ' -f1-3 /proc/loadavg)" >"$OUT/run.txt"

python bench/bench_home_answers.py --data-dir "$DATA/home" --json "$OUT/home.json" \
    --details "$OUT/home.details.jsonl" >"$OUT/home.txt" 2>/dev/null
for n in 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do
    set_dir=tests/fixtures/household$n
    ASSISTANT_DATA_DIR="$DATA/h$n" python -m assistant.cli eval-qa "$set_dir/questions.jsonl" \
        --docs "$set_dir/docs" --answer extractive --json \
        --details "$OUT/h$n.details.jsonl" >"$OUT/h$n.json" 2>/dev/null
done
python bench/bench_tatqa_answers.py --data-dir "$DATA/tatqa" \
    --details "$OUT/tatqa.details.jsonl" >"$OUT/tatqa.txt" 2>/dev/null
ASSISTANT_DATA_DIR="$DATA/squad" python -m assistant.cli eval-qa \
    ../shared/data/squad/dev-tune-v2.0.json --answer extractive --json \
    --details "$OUT/squad.details.jsonl" >"$OUT/squad.json" 2>/dev/null
echo "end $(date -u +%H:%M) load $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/run.txt"
