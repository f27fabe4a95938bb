"""`assistant doctor`: each check passes or fails with its fix, and the exit code says which."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

EXPECTED = [
    "offline flags",
    "telemetry",
    "endpoint ollama_host",
    "endpoint openai_base_url",
    "endpoint chroma_url",
    "data dir permissions",
    "free disk",
    "embedding model",
    "device",
    "index",
    "backend",
    "answer by quotes",
    "answer by embedded model",
    "answer by Ollama",
    "answer by OpenAI-compatible server",
    "answer by a GGUF file",
    "ocr",
    "formats",
]


def _checks(result) -> dict[str, dict[str, object]]:  # type: ignore[no-untyped-def]
    data = json.loads(result.stdout)
    assert set(data) == {"checks"}
    for check in data["checks"]:
        assert set(check) == {"name", "ok", "detail", "fix"}
    return {c["name"]: c for c in data["checks"]}


@pytest.fixture
def indexed(cli, docs: Path, embedder) -> Path:  # type: ignore[no-untyped-def]
    result = cli("ingest", str(docs / "handbook.md"))
    assert result.exit_code == 0, result.stderr
    return docs


def test_everything_passes_on_a_working_install(cli, indexed) -> None:  # type: ignore[no-untyped-def]
    result = cli("doctor", "--json")
    checks = _checks(result)
    assert list(checks) == EXPECTED
    assert [n for n, c in checks.items() if not c["ok"]] == []
    assert result.exit_code == 0
    # auto says which backend would answer, and why.
    assert "auto chose llamacpp (no Ollama with models at" in str(checks["backend"]["detail"])
    assert "loads offline" in str(checks["embedding model"]["detail"])
    assert str(checks["device"]["detail"]).startswith("cpu, int8 (onnxruntime)")


def test_device_check_names_a_fallback_to_torch(cli, indexed, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ASSISTANT_EMBEDDING_BACKEND", "torch")
    check = _checks(cli("doctor", "--json"))["device"]
    assert check["ok"]
    assert str(check["detail"]).startswith("cpu, fp32 (sentence-transformers on torch)")
    assert "embedding_backend = torch" in str(check["detail"])


def test_text_output_is_one_line_per_check(cli, indexed) -> None:  # type: ignore[no-untyped-def]
    result = cli("doctor")
    lines = result.stdout.splitlines()
    assert len(lines) == len(EXPECTED)
    assert all(line.startswith("ok    ") for line in lines)


def test_a_fresh_install_is_a_state_not_a_failure(cli, embedder) -> None:  # type: ignore[no-untyped-def]
    result = cli("doctor")
    assert result.exit_code == 0, result.stdout
    assert "ok    index: nothing indexed yet in" in result.stdout
    assert "`assistant ingest PATH`" in result.stdout


@pytest.mark.slow
def test_a_first_doctor_says_what_it_makes_while_it_makes_it(tmp_path: Path) -> None:
    """A fresh data dir, in a process of its own (nothing made yet): each check's line
    comes when the check is done, so the int8 model's line sits between them."""
    import subprocess
    import sys

    from conftest import ROOT

    done = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "doctor"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"},
        cwd=ROOT,
        timeout=600,
    )
    lines = done.stdout.splitlines()
    assert done.returncode == 0, done.stdout
    where = {
        key: next(i for i, line in enumerate(lines) if key in line)
        for key in ("free disk", "making the int8 copy", "embedding model:", "nothing indexed yet")
    }
    assert where["free disk"] < where["making the int8 copy"] < where["embedding model:"]


def test_public_endpoint_fails_its_check(cli, indexed, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ASSISTANT_OPENAI_BASE_URL", "http://8.8.8.8:8080/v1")
    result = cli("doctor", "--json")
    assert result.exit_code == 1
    check = _checks(result)["endpoint openai_base_url"]
    assert not check["ok"]
    assert "refusing to send your documents to 8.8.8.8" in str(check["detail"])
    assert "allowed_hosts" in str(check["fix"])


def test_public_ollama_host_fails_endpoint_and_backend(cli, indexed, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """auto refuses rather than quietly falling back to the embedded model."""
    monkeypatch.setenv("OLLAMA_HOST", "8.8.8.8")
    checks = _checks(cli("doctor", "--json"))
    assert not checks["endpoint ollama_host"]["ok"]
    assert not checks["backend"]["ok"]
    assert "8.8.8.8" in str(checks["backend"]["detail"])


def test_loose_permissions_fail(cli, indexed, data_dir) -> None:  # type: ignore[no-untyped-def]
    os.chmod(data_dir / "catalog.sqlite3", 0o644)
    result = cli("doctor", "--json")
    check = _checks(result)["data dir permissions"]
    assert not check["ok"]
    assert "catalog.sqlite3 644" in str(check["detail"])
    assert check["fix"] == f"chmod -R go-rwx {data_dir}"
    assert result.exit_code == 1


def test_missing_embedding_model_fails(cli, indexed, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ASSISTANT_EMBEDDING_MODEL", str(tmp_path / "no-such-model"))
    check = _checks(cli("doctor", "--json"))["embedding model"]
    assert not check["ok"]
    assert "models are never downloaded" in str(check["detail"])


def test_unavailable_device_fails(cli, indexed, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from ingest.embed import pick_device

    if pick_device(None) == "cuda":
        pytest.skip("this machine has CUDA")
    monkeypatch.setenv("ASSISTANT_DEVICE", "cuda")
    check = _checks(cli("doctor", "--json"))["device"]
    assert not check["ok"]
    assert "cuda was asked for" in str(check["detail"])


def test_low_disk_fails(cli, indexed, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import assistant.doctor

    monkeypatch.setattr(assistant.doctor, "MIN_FREE_BYTES", 1 << 60)
    check = _checks(cli("doctor", "--json"))["free disk"]
    assert not check["ok"]
    assert "--data-dir" in str(check["fix"])


def test_offline_flags_off_fail(cli, indexed, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    check = _checks(cli("doctor", "--json"))["offline flags"]
    assert not check["ok"]
    assert "HF_HUB_OFFLINE" in str(check["detail"])


def test_ocr_check_gives_the_install_line_without_tesseract(cli, indexed, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("ingest.ocr._tesseract", lambda: None)
    result = cli("doctor", "--json")
    ocr = _checks(result)["ocr"]
    assert not ocr["ok"] and result.exit_code == 1
    assert "apt-get install tesseract-ocr" in ocr["detail"]
    assert ocr["fix"] == "install it as it says, or set ocr = false"
    monkeypatch.setenv("ASSISTANT_OCR", "false")
    off = _checks(cli("doctor", "--json"))
    assert off["ocr"]["ok"] and off["ocr"]["detail"].startswith("off (ocr = false)")
