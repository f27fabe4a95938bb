"""The embedding encoders: the int8 ONNX model against fp32 torch on real text, the export
cache, the fallbacks, and a query path that never imports torch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from sample_questions import SAMPLE_QUESTIONS

from ingest.embed import BadBackend, Embedder, ModelDir
from ingest.embed import embedder as embedder_module
from ingest.embed.onnx_encoder import pool
from ingest.embed.onnx_export import ExportFailed, cached_model_path, export_int8
from ingest.store import Index
from ingest.sync import Syncer, SyncOptions

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DOCS = ROOT / "sample_docs"


@pytest.fixture(scope="module")
def fp32() -> Embedder:
    """sentence-transformers on torch: the reference the int8 model is measured against."""
    return Embedder(backend="torch")


def sample_passages() -> list[str]:
    """Real prose of every length, from the sample documents."""
    texts = [q.question for q in SAMPLE_QUESTIONS]
    for path in sorted(SAMPLE_DOCS.glob("*.md")) + sorted(SAMPLE_DOCS.glob("*.txt")):
        paragraphs = path.read_text(encoding="utf-8").split("\n\n")
        texts.extend(p.strip() for p in paragraphs if len(p.strip()) > 20)
    return texts


def test_the_default_on_a_cpu_is_int8_onnx(embedder: Embedder) -> None:
    plan = embedder.plan()
    assert (plan.backend, plan.device, plan.precision) == ("onnx-int8", "cpu", "int8")
    assert embedder.encoder.backend == "onnx-int8"


def test_int8_vectors_agree_with_fp32_on_real_text(embedder: Embedder, fp32: Embedder) -> None:
    """Same space: each text's int8 vector points where its fp32 vector does, and where
    the nearest passage of a sample question differs, fp32 had it as a near tie."""
    texts = sample_passages()
    a = np.array(embedder.embed(texts))
    b = np.array(fp32.embed(texts))
    assert a.shape == b.shape == (len(texts), 384)
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    cosines = (a * b).sum(axis=1)
    assert cosines.min() > 0.97, sorted(cosines)[:5]
    assert np.median(cosines) > 0.99
    questions = len(SAMPLE_QUESTIONS)
    passages_a, passages_b = a[questions:], b[questions:]
    nearest_a = (a[:questions] @ passages_a.T).argmax(axis=1)
    fp32_scores = b[:questions] @ passages_b.T
    rows = np.arange(questions)
    lost = fp32_scores.max(axis=1) - fp32_scores[rows, nearest_a]
    assert (lost == 0).mean() >= 0.8 and lost.max() < 0.03, lost


def test_batches_of_mixed_lengths_match_one_text_at_a_time(embedder: Embedder) -> None:
    """A text's vector does not depend on the texts embedded with it (in a batch, dynamic
    int8 quantization would scale it by its neighbours' range and padding)."""
    texts = sample_passages()[:40]
    together = np.array(embedder.embed(texts))
    alone = np.array([embedder.embed([t])[0] for t in texts])
    np.testing.assert_allclose(together, alone, atol=1e-5)


def test_long_text_is_truncated_at_max_seq_length_not_at_128(embedder: Embedder) -> None:
    """The shipped tokenizer.json truncates at 128 tokens; the model reads 256."""
    words = [f"orchard{i}" for i in range(400)]

    def first_words(tokens: int) -> str:
        texts = [" ".join(words[:n]) for n in range(1, 400)]
        counts = embedder.count_tokens(texts)
        return next(t for t, n in zip(texts, counts, strict=True) if n > tokens)

    short, middle = first_words(110), first_words(200)
    long, longer = first_words(300), first_words(450)
    a, b, c, d = (np.array(v) for v in embedder.embed([short, middle, long, longer]))
    assert float(a @ b) < 0.999  # tokens 128-200 count
    assert float(c @ d) > 0.9999  # past 256, nothing does


def test_mean_pooling_ignores_padding() -> None:
    hidden = np.array([[[1.0, 1.0], [3.0, 3.0], [100.0, -100.0]]])
    mask = np.array([[1, 1, 0]])
    np.testing.assert_allclose(pool(hidden, mask, "mean"), [[2.0, 2.0]])
    np.testing.assert_allclose(pool(hidden, mask, "max"), [[3.0, 3.0]])
    np.testing.assert_allclose(pool(hidden, mask, "cls"), [[1.0, 1.0]])


def test_an_index_built_with_fp32_answers_int8_queries(
    tmp_path: Path, embedder: Embedder, fp32: Embedder
) -> None:
    """An index built before the int8 model existed (or on a GPU) keeps working on a CPU
    with the int8 model: vector search alone finds the same files for every question."""
    from assistant.retrieve import Retriever

    index = Index(tmp_path / "data")
    Syncer(index, fp32, SyncOptions()).sync([SAMPLE_DOCS])
    pure, mixed = Retriever(index, fp32), Retriever(index, embedder)
    same = 0
    for question in SAMPLE_QUESTIONS:
        top_pure = [p.path for p in pure.search(question.question, 3, mode="vector").passages]
        top_mixed = [p.path for p in mixed.search(question.question, 3, mode="vector").passages]
        same += top_pure[0] == top_mixed[0]
    index.close()
    assert same >= len(SAMPLE_QUESTIONS) - 1


def test_the_export_is_cached_by_fingerprint_and_replaces_a_stale_one(tmp_path: Path) -> None:
    model = ModelDir.of(None)
    cache = tmp_path / "models"
    cache.mkdir()
    stale = cache / f"{model.short_name}-0000000000000000.int8.onnx"
    stale.write_bytes(b"an export of an older model")
    made = export_int8(model, cached_model_path(cache, model))
    assert made.is_file() and made.stat().st_size > 10_000_000
    assert not stale.exists()
    assert [p.name for p in cache.iterdir()] == [made.name]  # no temp files left behind


def test_a_cached_export_is_used_without_exporting_again(
    tmp_path: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new data dir in the same process gets a copy; a new process finds the file."""

    def no_export(*_args: object) -> None:
        raise AssertionError("exported again")

    import ingest.embed.onnx_export

    monkeypatch.setattr(ingest.embed.onnx_export, "export_int8", no_export)
    embedder.encoder  # noqa: B018 - the session fixture exported it
    other = Embedder(cache_dir=tmp_path / "models")
    assert other.plan().note  # not made in this folder yet
    assert len(other.embed(["a question"])[0]) == 384
    assert other.plan().note == ""
    again = Embedder(cache_dir=tmp_path / "models")
    assert again.plan().note == ""


def test_fingerprint_follows_the_model_files(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    first = ModelDir("m", folder).fingerprint
    assert ModelDir("m", folder).fingerprint == first
    (folder / "config.json").write_text('{"changed": true}')
    assert ModelDir("m", folder).fingerprint != first


def test_a_model_with_extra_modules_runs_on_torch(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    (folder / "1_Pooling").mkdir(parents=True)
    (folder / "tokenizer.json").write_text("{}")
    (folder / "1_Pooling" / "config.json").write_text('{"pooling_mode_mean_tokens": true}')
    modules = [
        {"type": "sentence_transformers.models.Transformer"},
        {"type": "sentence_transformers.models.Pooling"},
        {"type": "sentence_transformers.models.Dense"},
    ]
    (folder / "modules.json").write_text(json.dumps(modules))
    model = ModelDir("m", folder)
    assert "Dense" in str(model.onnx_unsupported())
    with pytest.raises(ExportFailed, match="Dense"):
        export_int8(model, tmp_path / "out.onnx")
    embedder = Embedder(str(folder), cache_dir=tmp_path / "models")
    plan = embedder.plan()
    assert (plan.backend, plan.precision) == ("torch", "fp32") and "Dense" in plan.note


def test_without_onnxruntime_auto_falls_back_and_onnx_int8_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ingest.embed.onnx_encoder

    monkeypatch.setattr(ingest.embed.onnx_encoder, "onnxruntime_available", lambda: False)
    plan = Embedder(cache_dir=tmp_path).plan()
    assert (plan.backend, plan.precision) == ("torch", "fp32")
    assert "onnxruntime is not installed" in plan.note
    with pytest.raises(BadBackend, match="onnxruntime is not installed"):
        Embedder(backend="onnx-int8", cache_dir=tmp_path).plan()


def test_onnx_int8_refuses_a_gpu_device(tmp_path: Path) -> None:
    with pytest.raises(BadBackend, match="runs on the CPU"):
        Embedder(device="cuda", backend="onnx-int8", cache_dir=tmp_path).plan()
    plan = Embedder(device="cuda", cache_dir=tmp_path).plan()  # auto: torch, fp16
    assert (plan.backend, plan.device, plan.precision) == ("torch", "cuda", "fp16")


def test_a_failed_export_falls_back_to_torch_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import ingest.embed.onnx_export

    def broken(*_args: object) -> None:
        raise ExportFailed("cannot export all-MiniLM-L6-v2 to ONNX (a simulated failure)")

    monkeypatch.setattr(ingest.embed.onnx_export, "export_int8", broken)
    monkeypatch.setattr(embedder_module, "_exported", {})
    auto = Embedder(cache_dir=tmp_path / "fresh")
    with caplog.at_level("WARNING"):
        assert len(auto.embed(["still works"])[0]) == 384
    assert auto.plan().backend == "torch" and "simulated failure" in auto.plan().note
    assert "instead of int8 ONNX" in caplog.text
    strict = Embedder(backend="onnx-int8", cache_dir=tmp_path / "strict")
    with pytest.raises(ExportFailed, match="simulated failure"):
        strict.embed(["fails"])


def test_unknown_backend_is_refused() -> None:
    with pytest.raises(BadBackend, match="auto, onnx-int8, torch"):
        Embedder(backend="tensorrt")


QUERY_PROBE = textwrap.dedent(
    """
    import json, sys
    from assistant.cli import main
    sys.argv = ["assistant", "search", "When is the right time to prune plum trees?"]
    try:
        main()
    finally:
        heavy = ("torch", "transformers", "sentence_transformers", "onnx")
        sys.stderr.write(json.dumps(sorted(m for m in heavy if m in sys.modules)) + "\\n")
    """
)


def test_search_in_a_fresh_process_imports_no_torch_and_writes_nothing_in_home(
    tmp_path: Path, embedder: Embedder
) -> None:
    """The query path is tokenizers + onnxruntime + numpy; onnxruntime's device id file
    (~/.cache/Microsoft) is switched off, so HOME stays empty."""
    from assistant import library
    from assistant.settings import load_settings

    data = tmp_path / "data"
    settings = load_settings(config_file=tmp_path / "none.toml", environ={}, data_dir=data)
    library.ingest(settings, [SAMPLE_DOCS])  # the int8 file is copied into data/models
    home = tmp_path / "fresh-home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "XDG_"))}
    env.update(
        HOME=str(home),
        PYTHONPATH=str(ROOT),
        ASSISTANT_DATA_DIR=str(data),
        ASSISTANT_CONFIG=str(tmp_path / "none.toml"),
    )
    env.pop("ORT_DISABLE_TELEMETRY", None)  # the program must set it itself
    done = subprocess.run(
        [sys.executable, "-c", QUERY_PROBE], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "handbook.md" in done.stdout
    assert json.loads(done.stderr.strip().splitlines()[-1]) == []
    assert list(home.rglob("*")) == []
