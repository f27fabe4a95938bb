"""Retrieval evaluation on BEIR-layout data: loading the dataset, writing its corpus as files
to ingest, and the BEIR metrics (nDCG@k, Recall@k, MRR@k) over document rankings.

Nothing here touches the index: `assistant eval` composes these with the real ingest and
retrieval paths, so the arithmetic can be tested on hand-made data.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from assistant.errors import ConfigError
from ingest.words import plural

log = logging.getLogger(__name__)

Qrels = dict[str, dict[str, int]]
"""query id -> {doc id: graded relevance}; grade <= 0 means judged not relevant."""

METRIC_KEYS = ("ndcg@10", "recall@10", "recall@100", "mrr@10")


class CorpusDoc(NamedTuple):
    doc_id: str
    title: str
    text: str


class JsonlCorpus:
    """A BEIR `corpus.jsonl` read afresh on every iteration.

    BEIR corpora run to millions of documents, so the corpus is never held in memory; a
    malformed line therefore surfaces while iterating, as a ConfigError naming file and line.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def __iter__(self) -> Iterator[CorpusDoc]:
        for lineno, record in read_jsonl(self.path):
            doc_id = _required_str(record, "_id", self.path, lineno)
            text = _required_str(record, "text", self.path, lineno)
            title = record.get("title") or ""
            yield CorpusDoc(doc_id, str(title), text)

    def __repr__(self) -> str:
        return f"JsonlCorpus({str(self.path)!r})"


@dataclass
class BeirDataset:
    """One split of a BEIR dataset.

    `corpus` is any re-iterable of documents (a `JsonlCorpus` when loaded from disk, a list
    in tests); `queries` holds only the queries the split judges, as BEIR's own loader does,
    so every query evaluated has qrels.
    """

    corpus: Iterable[CorpusDoc]
    queries: dict[str, str]
    qrels: Qrels
    split: str = "test"


def load_beir(dataset_dir: Path, split: str = "test") -> BeirDataset:
    """Read queries and qrels now and the corpus lazily, failing early on anything missing,
    so a long ingest never starts on a dataset that cannot be scored."""
    dataset_dir = Path(dataset_dir)
    if not dataset_dir.is_dir():
        raise ConfigError(f"dataset folder not found: {dataset_dir}")
    corpus_path = dataset_dir / "corpus.jsonl"
    queries_path = dataset_dir / "queries.jsonl"
    qrels_path = dataset_dir / "qrels" / f"{split}.tsv"
    if not corpus_path.is_file():
        raise ConfigError(f"{corpus_path} is missing: a BEIR dataset needs corpus.jsonl")
    if not queries_path.is_file():
        raise ConfigError(f"{queries_path} is missing: a BEIR dataset needs queries.jsonl")
    if not qrels_path.is_file():
        found = sorted(p.stem for p in (dataset_dir / "qrels").glob("*.tsv"))
        hint = f" (splits found: {', '.join(found)})" if found else ""
        raise ConfigError(f"{qrels_path} is missing: no qrels for split {split!r}{hint}")

    qrels = _read_qrels(qrels_path)
    queries: dict[str, str] = {}
    for lineno, record in read_jsonl(queries_path):
        qid = _required_str(record, "_id", queries_path, lineno)
        if qid in qrels:
            queries[qid] = _required_str(record, "text", queries_path, lineno)
    missing = [qid for qid in qrels if qid not in queries]
    if missing:
        raise ConfigError(
            f"{queries_path} lacks {plural(len(missing), 'query id')} that "
            f"{qrels_path.name} judges (first: {missing[0]!r})"
        )
    return BeirDataset(corpus=JsonlCorpus(corpus_path), queries=queries, qrels=qrels, split=split)


def write_corpus_files(dataset: BeirDataset, dest: Path) -> dict[str, str]:
    """Write each document as a Markdown file so the corpus goes through the real ingest path,
    and return {resolved file path: doc id} to map retrieved passages back to documents.

    `dest` must be empty or absent: any other file in it would be ingested and retrieved as a
    document with no id, silently lowering every score.
    """
    dest = Path(dest)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise ConfigError(f"{dest} is not an empty folder: give a fresh folder for the corpus")
    dest.mkdir(parents=True, exist_ok=True)
    root = dest.resolve()
    path_to_id: dict[str, str] = {}
    seen_ids: set[str] = set()
    used_names: set[str] = set()
    for doc_id, title, text in dataset.corpus:
        if doc_id in seen_ids:
            raise ConfigError(f"corpus has document id {doc_id!r} twice: ids must be unique")
        seen_ids.add(doc_id)
        name = _file_name(doc_id, used_names)
        path = root / name
        path.write_text(_markdown(title, text), encoding="utf-8", newline="\n")
        path_to_id[str(path)] = doc_id
    log.debug("wrote %d corpus files to %s", len(path_to_id), root)
    return path_to_id


def dedupe_ranking(doc_ids: Iterable[str]) -> list[str]:
    """Collapse a ranking of passages into a ranking of documents.

    Retrieval returns chunks but BEIR judges documents, so a document ranks where its best
    passage ranked; later passages of it would otherwise count it as relevant twice.
    """
    return list(dict.fromkeys(doc_ids))


def ndcg_at_k(ranked: list[str], qrels: Mapping[str, int], k: int) -> float:
    """nDCG@k as pytrec_eval's `ndcg_cut` computes it for BEIR: the gain is the grade itself
    (not 2^grade - 1), so numbers compare with published BEIR tables."""
    _check_k(k)
    top = dedupe_ranking(ranked)[:k]
    dcg = sum(_gain(qrels.get(d, 0)) / math.log2(i + 2) for i, d in enumerate(top))
    ideal = sorted((g for g in qrels.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def recall_at_k(ranked: list[str], qrels: Mapping[str, int], k: int) -> float:
    """Share of the relevant documents (grade > 0) found in the top k."""
    _check_k(k)
    relevant = {d for d, g in qrels.items() if g > 0}
    if not relevant:
        return 0.0
    hits = sum(1 for d in dedupe_ranking(ranked)[:k] if d in relevant)
    return hits / len(relevant)


def mrr_at_k(ranked: list[str], qrels: Mapping[str, int], k: int) -> float:
    """Reciprocal rank of the first relevant document in the top k, else 0."""
    _check_k(k)
    for i, d in enumerate(dedupe_ranking(ranked)[:k]):
        if qrels.get(d, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def score_query(ranked: list[str], qrels: Mapping[str, int]) -> dict[str, float]:
    """The reported metrics for one query, for per-query breakdowns of a run."""
    return {
        "ndcg@10": ndcg_at_k(ranked, qrels, 10),
        "recall@10": recall_at_k(ranked, qrels, 10),
        "recall@100": recall_at_k(ranked, qrels, 100),
        "mrr@10": mrr_at_k(ranked, qrels, 10),
    }


def evaluate_run(
    run: Mapping[str, list[str]], qrels: Mapping[str, Mapping[str, int]]
) -> dict[str, float]:
    """Mean of each metric over the queries that have a relevant document.

    A judged query missing from the run scores 0 rather than being dropped (BEIR's own
    `evaluate` averages only over queries in the run, which flatters a retriever that
    returns nothing); queries with no relevant document cannot be scored and are skipped.
    """
    scored = [qid for qid, judged in qrels.items() if any(g > 0 for g in judged.values())]
    if not scored:
        raise ValueError("qrels hold no query with a relevant document")
    totals = dict.fromkeys(METRIC_KEYS, 0.0)
    for qid in scored:
        for key, value in score_query(run.get(qid, []), qrels[qid]).items():
            totals[key] += value
    return {key: total / len(scored) for key, total in totals.items()}


# ---------------------------------------------------------------------------- helpers

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_STEM = 100


def _file_name(doc_id: str, used: set[str]) -> str:
    """A file name for `doc_id` that is unique in `used` (which it extends).

    Names are compared case-folded because macOS and Windows folders are case-insensitive;
    an id that had to be altered gets a hash of the original, so "a/b" and "a_b" differ.
    """
    safe = _UNSAFE.sub("_", doc_id).strip("._")[:_MAX_STEM]
    digest = hashlib.sha1(doc_id.encode("utf-8")).hexdigest()[:12]
    candidates = [f"doc-{safe}.md"] if safe == doc_id else []
    candidates.append(f"doc-{safe}-{digest}.md")
    for name in candidates:
        if name.casefold() not in used:
            used.add(name.casefold())
            return name
    n = 2
    while (name := f"doc-{safe}-{digest}-{n}.md").casefold() in used:
        n += 1
    used.add(name.casefold())
    return name


def _markdown(title: str, text: str) -> str:
    # A heading is one line, and many BEIR corpora (FiQA, MS MARCO) have no titles at all.
    title = " ".join(title.split())
    return f"# {title}\n\n{text}\n" if title else f"{text}\n"


def _gain(grade: int) -> int:
    # Negative grades (judged harmful) gain nothing rather than cost, as in the ideal ranking.
    return grade if grade > 0 else 0


def _check_k(k: int) -> None:
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")


def read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each non-blank line of a JSON-lines file as (its line number, its object): the one
    reader of BEIR files and of eval-qa's questions file, each bad line a ConfigError
    naming file and line."""
    try:
        with path.open(encoding="utf-8") as f:
            for lineno, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as e:
                    raise ConfigError(f"{path}:{lineno}: not valid JSON ({e.msg})") from None
                if not isinstance(record, dict):
                    raise ConfigError(f"{path}:{lineno}: expected a JSON object")
                yield lineno, record
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except OSError as e:
        raise ConfigError(f"{path}: cannot read ({e.strerror})") from None


def _required_str(record: dict[str, Any], key: str, path: Path, lineno: int) -> str:
    value = record.get(key)
    # Some exports write numeric ids; BEIR treats every id as a string.
    if isinstance(value, (int, str)) and not isinstance(value, bool):
        return str(value)
    raise ConfigError(f"{path}:{lineno}: missing {key!r}")


def _read_qrels(path: Path) -> Qrels:
    qrels: Qrels = {}
    try:
        with path.open(encoding="utf-8") as f:
            for lineno, line in enumerate(f, start=1):
                line = line.rstrip("\r\n")
                if not line.strip() or (lineno == 1 and line.startswith("query-id")):
                    continue
                fields = line.split("\t")
                if len(fields) != 3:
                    raise ConfigError(
                        f"{path}:{lineno}: expected query-id<TAB>corpus-id<TAB>score, "
                        f"got {len(fields)} field(s)"
                    )
                qid, doc_id, score = (s.strip() for s in fields)
                try:
                    grade = int(score)
                except ValueError:
                    raise ConfigError(
                        f"{path}:{lineno}: score {score!r} is not an integer"
                    ) from None
                qrels.setdefault(qid, {})[doc_id] = grade
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except OSError as e:
        raise ConfigError(f"{path}: cannot read ({e.strerror})") from None
    if not qrels:
        raise ConfigError(f"{path} has no judgments: a qrels file needs at least one row")
    return qrels
