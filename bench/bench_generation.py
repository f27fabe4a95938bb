"""Time to first token and tokens/s of the embedded backend on a typical question.

    python bench/bench_generation.py --data-dir DIR   (an index of sample_docs/)

Runs the real path (retrieval, prompt, SmolLM2 via llama.cpp) on distinct questions and
prints the medians; loading the model is reported on its own.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from ingest.offline import force_offline

force_offline()

from assistant import library  # noqa: E402
from assistant.models.llamacpp_backend import LlamaCppBackend  # noqa: E402
from assistant.settings import load_settings  # noqa: E402

# Distinct questions: llama.cpp reuses the KV cache of a repeated prompt, which would make
# a repeated question's time to first token look like zero.
QUESTIONS = [
    "How much did the new cider press cost, and who made it?",
    "When is Apple Day this year?",
    "How much honey did the bees make last season?",
    "What time does the Saturday work party start?",
    "How many trees will be planted along the north hedge?",
    "Who found the Marrowbrook Pippin?",
    "What do we use against varroa mites?",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    settings = load_settings(data_dir=args.data_dir)
    retriever = library.open_retriever(settings)
    t = time.perf_counter()
    backend = LlamaCppBackend()
    load_s = time.perf_counter() - t
    ttft, rates, prompt_tokens = [], [], []
    for question in QUESTIONS[: args.runs]:
        stream = library.ask(settings, retriever, backend, question)
        started = time.perf_counter()
        first = None
        for _token in stream:
            if first is None:
                first = time.perf_counter()
        end = time.perf_counter()
        answer = stream.result
        assert answer is not None and first is not None
        tokens = backend.count_tokens(answer.text)
        ttft.append((first - started) * 1000)
        rates.append(tokens / max(end - first, 1e-6))
        prompt_tokens.append(stream.prompt.tokens)
    print(f"\n### Embedded backend ({backend.model}, n_threads = cores)\n")
    print(f"- model load: {load_s:.2f} s")
    print(f"- prompt: ~{statistics.median(prompt_tokens):.0f} tokens ({settings.k} passages)")
    print(f"- time to first token: median {statistics.median(ttft):.0f} ms over {args.runs} runs")
    print(f"- generation: median {statistics.median(rates):.0f} tokens/s")


if __name__ == "__main__":
    main()
