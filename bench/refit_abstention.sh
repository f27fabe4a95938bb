#!/bin/bash
# Refit the abstention combiner ("The documents do not say") on the code as it stands, after
# a merge that changes retrieval, the sentence scorer or the combiner's features.
#
#   bash bench/refit_abstention.sh OUT [TATQA_DIR]
#
# OUT gets the caches (data dirs OUT/hdata, OUT/tdata, OUT/sqdata are made or reused),
# fit.out (the weights to paste into assistant/evidence/abstain.py) and sweep.out (the
# whole SQuAD tuning file's curve, and the home set's, at each threshold: choose THRESHOLD
# there, the highest that holds gold for >= 77% with a margin). TATQA_DIR holds docs/ and
# questions300.jsonl as bench/bench_tatqa_answers.py writes them (default /tmp/s2/tatqa).
# Run from the repository root with PYTHONPATH set to it. bench/RESULTS.md, "sixth
# session: refit", has the times (about 10 minutes on a quiet machine, the sweep most).
set -eu
OUT=$1
TATQA=${2:-/tmp/s2/tatqa}
mkdir -p "$OUT"
tune() { python bench/tune_answers.py "$@"; }
tune collect ../shared/data/home/questions.jsonl --docs /tmp/ans_home_docs \
    --data-dir "$OUT/hdata" --cache "$OUT/home.json"
tune collect "$TATQA/questions300.jsonl" --docs "$TATQA/docs" \
    --data-dir "$OUT/tdata" --cache "$OUT/tatqa.json"
tune collect ../shared/data/squad/dev-tune-v2.0.json --sample 700 \
    --data-dir "$OUT/sqdata" --cache "$OUT/squad.json"
tune collect ../shared/data/squad/dev-tune-v2.0.json \
    --data-dir "$OUT/sqdata" --cache "$OUT/squadall.json"
tune fit-mix --cache "$OUT/home.json" "$OUT/tatqa.json" "$OUT/squad.json" \
    --shares 0.25 0.15 0.6 --pin squad --answerable-rate 0.08 | tee "$OUT/fit.out"
echo "paste the weights above into assistant/evidence/abstain.py (the record weight less" \
    "0.5: see its comment), then press Enter for the sweep"
read -r
tune sweep --cache "$OUT/squadall.json" "$OUT/home.json" \
    --thresholds -1.0 -0.9 -0.85 -0.8 -0.75 -0.7 -0.6 | tee "$OUT/sweep.out"
