"""`assistant eval`: index a BEIR dataset through the real ingest path and score retrieval.

The corpus and its index live in a data dir of their own (under the user's data dir), so
evaluating never mixes benchmark documents into the user's index, and a second run
re-uses both (an unchanged corpus syncs in seconds).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

from assistant import library
from assistant.eval.beir import dedupe_ranking, evaluate_run, load_beir, write_corpus_files
from assistant.retrieve import RetrievalConfig
from assistant.settings import Settings
from ingest.words import plural

# Each side alone, then fused: the order the results are printed in.
MODES = ("vector", "keyword", "hybrid")
DEPTH = 100  # Recall@100 needs a hundred documents per query


def eval_dir(settings: Settings, dataset_dir: Path) -> Path:
    resolved = dataset_dir.resolve()
    digest = hashlib.sha1(str(resolved).encode()).hexdigest()[:8]
    return settings.data_dir / "eval" / f"{resolved.name}-{digest}"


def index_eval_corpus(
    settings: Settings, home: Path, corpus: Path, say: Callable[[str], None]
) -> Settings:
    """The eval's own settings (its index under `home`), with `corpus` ingested into it.
    The eval index is a data dir of its own; the int8 model copy stays the user's one."""
    index_settings = settings.replace(
        data_dir=home / "index", model_cache_dir=library.model_cache_dir(settings)
    )
    report = library.ingest(index_settings, [corpus])
    say(
        f"indexed: {report.added} added, {plural(report.chunks_embedded, 'chunk')} embedded, "
        f"{len(report.failed)} failed, in {report.seconds:.0f} s"
    )
    return index_settings


def run_eval(
    settings: Settings,
    dataset_dir: Path,
    split: str = "test",
    progress: Callable[[str], None] | None = None,
    config: RetrievalConfig | None = None,
    modes: tuple[str, ...] = MODES,
) -> dict[str, dict[str, float]]:
    say = progress or (lambda _msg: None)
    dataset = load_beir(dataset_dir, split)
    home = eval_dir(settings, dataset_dir)
    corpus_dir = home / "corpus"
    mapping_file = home / "corpus-ids.json"
    library.prepare_data_dir(home)
    if not mapping_file.is_file():
        say(f"writing the corpus to {corpus_dir}")
        if corpus_dir.exists():  # a run interrupted while writing: start the folder afresh
            import shutil

            shutil.rmtree(corpus_dir)
        mapping = write_corpus_files(dataset, corpus_dir)
        mapping_file.write_text(json.dumps(mapping), encoding="utf-8")
    mapping = {os.path.realpath(p): d for p, d in json.loads(mapping_file.read_text()).items()}
    say(f"indexing {plural(len(mapping), 'document')} (only changes after the first run)")
    index_settings = index_eval_corpus(settings, home, corpus_dir, say)
    retrieval = config or RetrievalConfig(
        vector_candidates=DEPTH, keyword_candidates=DEPTH, relevance_floor=0.0
    )
    retriever = library.open_retriever(index_settings, retrieval)
    results: dict[str, dict[str, float]] = {}
    try:
        for mode in modes:
            run: dict[str, list[str]] = {}
            for qid, text in dataset.queries.items():
                passages = retriever.search(text, DEPTH, mode=mode).passages
                run[qid] = dedupe_ranking(
                    mapping[p] for p in (os.path.realpath(x.path) for x in passages) if p in mapping
                )
            results[mode] = evaluate_run(run, dataset.qrels)
            say(f"{mode}: nDCG@10 {results[mode]['ndcg@10']:.4f}")
    finally:
        retriever.index.close()
    return results
