"""The composition seam: Settings in; the index, the retriever, a backend, the watcher
and the index's status out.

Every face (the CLI, the chat, a server) gets these from here and only from here, so they
cannot drift apart; below this module nothing reads the settings.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from assistant import examples, hops
from assistant.answer import AnswerStream, Source, Turn, answer_stream
from assistant.conversation import prefer_own_words
from assistant.errors import ConfigError, NothingIndexed, UsageError
from assistant.evidence.select import CachedEmbed, select_evidence
from assistant.examples import EXAMPLES
from assistant.models import backend_plugin, choose_backend
from assistant.models.base import Backend
from assistant.models.sizing import is_small_model, small_model_configured
from assistant.models.ways import auto_has_no_model
from assistant.reading import PassageText, read_around
from assistant.retrieve import Passage, PathFilter, RetrievalConfig, Retriever
from assistant.settings import Settings
from assistant.summary import Summary
from ingest.embed import DEFAULT_MODEL_NAME, Embedder, Plan
from ingest.errors import IndexBusy, UserError
from ingest.ocr import OcrOptions
from ingest.scan import is_under
from ingest.store import FileRecord, Index, WriterLock, catalog_exists, current_writer
from ingest.store.repair import Repaired, rebuild_vectors
from ingest.sync import Syncer, SyncListener, SyncOptions, SyncReport
from ingest.watch import Watcher


def prepare_data_dir(data_dir: Path) -> None:
    """Private by default: the folder 0700 and every file this process creates 0600."""
    os.umask(0o077)
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(data_dir, 0o700)


def chroma_url(settings: Settings) -> str | None:
    if settings.chroma_url:
        from assistant.egress import check_endpoint

        check_endpoint(settings.chroma_url, settings.allowed_hosts)
    return settings.chroma_url


def open_index(settings: Settings, must_exist: bool = False, read_only: bool = False) -> Index:
    if must_exist and not catalog_exists(settings.data_dir):
        raise NothingIndexed()
    prepare_data_dir(settings.data_dir)
    return Index(settings.data_dir, chroma_url(settings), read_only=read_only)


@contextmanager
def existing_index(settings: Settings) -> Iterator[Index | None]:
    """The index in the data dir for reading its catalog, or None where nothing was ever
    indexed: opening it creates no folder and no file, and never connects to Chroma."""
    if not catalog_exists(settings.data_dir):
        yield None
        return
    index = Index(settings.data_dir)
    try:
        yield index
    finally:
        index.close()


def embedder_for(settings: Settings, index: Index | None = None) -> Embedder:
    """The configured model; else the one an existing index was built with, if it is a
    local folder that still exists; else the bundled default."""
    model = settings.embedding_model
    if model is None and index is not None and index.model is not None:
        recorded = index.model[0]
        if recorded != DEFAULT_MODEL_NAME and Path(recorded).is_dir():
            model = recorded
    return _embedder(model, settings.device, settings.embedding_backend, model_cache_dir(settings))


def model_cache_dir(settings: Settings) -> Path:
    """Where the int8 copy of the embedding model lives: in the data dir by default,
    because nothing of ours is written anywhere else in the user's home."""
    return settings.model_cache_dir or settings.data_dir / "models"


@functools.lru_cache(maxsize=4)
def _embedder(
    model: str | None, device: str | None, backend: str = "auto", cache_dir: Path | None = None
) -> Embedder:
    """One loaded model per process: the TUI and the watcher embed many times."""
    return Embedder(model, device, backend=backend, cache_dir=cache_dir)


@functools.lru_cache(maxsize=4)
class Embeds(Protocol):
    """An embedder (or the owner's, reached from another process: owner.remote)."""

    def embed(self, texts: Sequence[str]) -> list[list[float]]: ...


def sentence_vectors(embedder: Embeds) -> CachedEmbed:
    """The embedder behind the answer layer, with its memory of sentences: one per
    loaded model, so every question of a session shares it."""
    return CachedEmbed(embedder.embed)


def sync_options(settings: Settings, fence: Sequence[Path] = ()) -> SyncOptions:
    """`fence`: folders no walked file may really lie outside of (a server's folders)."""
    return SyncOptions(
        follow_outside=settings.follow_symlinks_outside,
        fence=tuple(fence),
        chunk_tokens=settings.chunk_tokens,
        chunk_overlap=settings.chunk_overlap,
        max_file_bytes=int(settings.max_file_mb * 2**20),
        max_text_chars=settings.max_text_chars or None,
        ignore=tuple(settings.ignore),
        exclude=(settings.data_dir,),
        ocr=OcrOptions(
            enabled=settings.ocr,
            max_pages=settings.ocr_max_pages,
            languages=settings.ocr_languages,
        ),
        workers=settings.ingest_workers,
        file_timeout=settings.file_timeout_seconds,
        file_memory_bytes=int(settings.max_file_memory_mb * 2**20) or None,
    )


@contextmanager
def writer(
    settings: Settings, purpose: str, folders: Sequence[str] = ()
) -> Iterator[tuple[Index, WriterLock]]:
    """The index opened for writing under the one-writer lock, reconciled after a crash."""
    prepare_data_dir(settings.data_dir)
    lock = WriterLock(settings.data_dir, purpose, list(folders)).acquire()
    try:
        index = open_index(settings)
        try:
            yield index, lock
        finally:
            index.close()
    finally:
        lock.release()


def syncer(
    settings: Settings,
    index: Index,
    listener: SyncListener | None = None,
    fence: Sequence[Path] = (),
) -> Syncer:
    """A Syncer for an index the caller holds the writer lock on."""
    options = sync_options(settings, fence)
    return Syncer(index, embedder_for(settings, index), options, listener)


def ingest(
    settings: Settings,
    paths: Sequence[Path],
    listener: SyncListener | None = None,
    fence: Sequence[Path] = (),
) -> SyncReport:
    folders = [str(Path(os.path.abspath(p))) for p in paths]
    with writer(settings, "ingest", folders) as (index, _lock):
        return syncer(settings, index, listener, fence).sync(paths)


def watcher_covers(settings: Settings, busy: IndexBusy, paths: Sequence[Path]) -> bool:
    """Whether the writer that refused an ingest of `paths` is a watcher over every one of
    them: it picks up their changes itself, so the ingest has nothing left to do."""
    if current_writer(settings.data_dir).get("purpose") != "watch":
        return False
    folders = [os.path.realpath(f) for f in busy.folders]
    return all(any(is_under(os.path.realpath(p), f) for f in folders) for p in paths)


@contextmanager
def watching(
    settings: Settings,
    paths: Sequence[Path | str],
    listener: SyncListener | None = None,
    *,
    poll: bool = False,
    fence: Sequence[Path] = (),
) -> Iterator[Watcher]:
    """A Watcher over `paths` that holds the one-writer lock until the block ends; the
    caller runs it (`run()` on a thread, or `run_until_signalled`)."""
    folders = [os.path.abspath(p) for p in paths]
    with writer(settings, "watch", folders) as (index, lock):
        yield Watcher(
            index,
            embedder_for(settings, index),
            [Path(f) for f in folders],
            sync_options(settings, fence),
            listener,
            debounce=settings.debounce_seconds,
            poll=poll,
            publish=lock.update,
        )


class NotIndexed(UsageError):
    """`forget` of a path under which nothing is indexed: a typo, most likely, which
    "0 files removed" would pass over in silence."""

    http_status = 404  # what the server's /v1/forget answers


def forget(settings: Settings, paths: Sequence[Path]) -> list[str]:
    """Remove files or whole folders from the index; returns the paths of the files that went."""
    with writer(settings, "forget") as (index, _lock):
        return remove_paths(index, paths)


def remove_paths(index: Index, paths: Sequence[Path]) -> list[str]:
    """Drop these files or folders from an index the caller writes; the paths of the files
    that went. A path with nothing indexed at or under it is refused before any goes."""
    targets = [os.path.abspath(p) for p in paths]
    folders = set(index.catalog.folders())
    records = {t: list(index.catalog.files(t)) for t in targets}
    for target in targets:
        if not records[target] and target not in folders:
            raise NotIndexed(
                f"{target}: nothing in the index is at or under this path "
                "(`assistant status` lists the indexed folders)"
            )
    removed: dict[str, None] = {}  # a file given twice (itself and its folder) goes once
    for target in targets:
        for record in records[target]:
            if record.path not in removed:
                index.remove_file(record.path)
                removed[record.path] = None
        index.catalog.remove_folder(target)
    return list(removed)


def repair(settings: Settings, progress: Callable[[int, int], None] | None = None) -> Repaired:
    """Rebuild the embedded vectors from the catalog's chunk text with the index's model
    (ingest.store.repair); the caller owns the index (assistant.owner.route.owning)."""
    if settings.chroma_url:
        raise ConfigError(
            "repair rebuilds the vectors kept in the data dir; these live on the Chroma "
            "server: repair that server, or ingest again"
        )
    index = open_index(settings, must_exist=True)
    try:
        embedder = embedder_for(settings, index)
        index.check_model(embedder.name, embedder.dimension)
        return rebuild_vectors(index, embedder.embed, progress)
    finally:
        index.close()


def embedding_plan(settings: Settings, index: Index | None = None) -> Plan:
    """Which backend, device and precision embed, without loading a model."""
    return embedder_for(settings, index).plan()


@dataclass(frozen=True)
class FailedFile:
    path: str
    reason: str | None


@dataclass(frozen=True)
class WatcherStatus:
    """What a running watcher publishes in the lock file."""

    pid: int | None
    folders: list[str]
    last_change: float | None
    pending: int


@dataclass(frozen=True, kw_only=True)
class IndexStatus:
    """What is indexed and who is writing; `as_dict` is `assistant status --json`."""

    data_dir: str
    folders: list[str] = field(default_factory=list)
    files: int = 0  # indexed files, failed and empty ones not counted
    empty: int = 0  # files of 0 bytes: skipped, not failed
    chunks: int = 0
    failed: list[FailedFile] = field(default_factory=list)
    engines: dict[str, int] = field(default_factory=dict)  # indexed files by what read them
    embedding_model: str
    device: str
    embedding_backend: str  # onnx-int8 or torch
    precision: str  # int8, fp16 or fp32
    embedding_note: str | None = None  # why not int8 on a CPU, or that it is not made yet
    index_bytes: int = 0
    last_change: float | None = None
    writer: dict[str, Any] | None = None  # what the writer holding the lock published
    watcher: WatcherStatus | None = None

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def status(settings: Settings) -> IndexStatus:
    """What is indexed, from the catalog alone: fast, and safe while a writer works."""
    holder = current_writer(settings.data_dir) if settings.data_dir.is_dir() else {}
    watcher = None
    if holder.get("purpose") == "watch":
        watcher = WatcherStatus(
            holder.get("pid"),
            holder.get("folders", []),
            holder.get("last_change"),
            holder.get("pending", 0),
        )
    found = IndexStatus(
        data_dir=str(settings.data_dir),
        embedding_model=settings.embedding_model or DEFAULT_MODEL_NAME,
        **_plan_fields(settings),
        writer=holder or None,
        watcher=watcher,
    )
    with existing_index(settings) as index:
        if index is None:
            return found
        counts = index.catalog.counts()
        return dataclasses.replace(
            found,
            folders=index.catalog.folders(),
            files=counts["files"] - counts["failed"] - counts["empty"],
            empty=counts["empty"],
            chunks=counts["chunks"],
            failed=[FailedFile(r.path, r.reason) for r in index.catalog.failed()],
            engines=index.catalog.engines(),
            embedding_model=(index.model or (found.embedding_model, 0))[0],
            index_bytes=index.size_on_disk(),
            last_change=index.catalog.last_change(),
        )


def _plan_fields(settings: Settings) -> dict[str, Any]:
    try:
        plan = embedding_plan(settings)
    except UserError as exc:  # a bad model or backend setting: status still answers
        return {
            "device": "unknown",
            "embedding_backend": "unusable",
            "precision": "unknown",
            "embedding_note": str(exc),
        }
    return {
        "device": plan.device,
        "embedding_backend": plan.backend,
        "precision": plan.precision,
        "embedding_note": plan.note or None,
    }


def example_questions(settings: Settings, count: int = EXAMPLES) -> list[str]:
    """A few questions about the user's own files, from the catalog alone ([] when
    nothing is indexed)."""
    with existing_index(settings) as index:
        if index is None:
            return []
        return examples.example_questions(index.catalog.file_headings(count * 4), count)


def open_retriever(
    settings: Settings, config: RetrievalConfig | None = None, read_only: bool = False
) -> Retriever:
    """Retrieval over the index with the model it was built with; never takes the lock.
    `read_only` for a process that never writes (see Index)."""
    index = open_index(settings, must_exist=True, read_only=read_only)
    if index.catalog.counts()["chunks"] == 0:
        index.close()
        raise NothingIndexed()
    return Retriever(index, embedder_for(settings, index), config)


def open_backend(settings: Settings) -> Backend:
    """The backend the settings name (for `auto`, the first that can answer), ready to
    stream; raises BackendError or EgressRefused with the fix."""
    return backend_plugin(choose_backend(settings).name).from_settings(settings)


def answer_mode(settings: Settings, backend: Backend | None) -> str:
    """extractive or generative: `auto` quotes the evidence for a model too small to write
    better than the quote (measured for SmolLM2-135M, bench/RESULTS.md), else lets it write."""
    if settings.answer_mode != "auto":
        return settings.answer_mode
    if backend is None or is_small_model(backend):
        return "extractive"
    return "generative"


def open_answerer(settings: Settings) -> Backend | None:
    """The backend that will write answers, or None when none is needed: extractive
    answers load no model at all, `auto` does not load one too small to use, and `auto`
    with no model on this install (the default install: no llama.cpp, no Ollama) quotes
    rather than fail, since quoting is what it would do with the bundled model anyway."""
    if settings.answer_mode == "extractive":
        return None
    if settings.answer_mode == "auto" and (
        small_model_configured(settings) or auto_has_no_model(settings)
    ):
        return None
    backend = open_backend(settings)
    return None if answer_mode(settings, backend) == "extractive" else backend


def ask(
    settings: Settings,
    retriever: Retriever,
    backend: Backend | None,
    question: str,
    path_filter: PathFilter | None = None,
    history: Sequence[Turn] = (),
    query: str | None = None,
) -> AnswerStream:
    """Retrieve for `query` (the question, or its stand-alone rewrite in a conversation),
    pick the evidence, and plan the answer to `question`: quoted, abstained, or streamed
    from `backend` and checked."""
    started = time.perf_counter()
    result = retriever.search(query or question, settings.k, path_filter)
    embed = sentence_vectors(retriever.embedder)
    evidence = select_evidence(query or question, result.passages, embed)
    follow_up = query is not None and query != question
    found = None
    if follow_up:
        evidence = prefer_own_words(question, evidence)
    else:  # a follow-up leans on the chat, not on papers

        def search(text: str) -> list[Passage]:
            return retriever.search(text, settings.k, path_filter).passages

        found = hops.second_pass(question, evidence, search, embed)
        if found is not None:
            evidence = found.evidence
    retrieve_ms = (time.perf_counter() - started) * 1000
    mode = answer_mode(settings, backend)
    return answer_stream(
        question,
        evidence,
        backend if mode == "generative" else None,
        embed=embed,
        mode=mode,
        max_answer_tokens=settings.max_answer_tokens,
        temperature=settings.temperature,
        evidence_sentences=settings.evidence_sentences,
        retrieve_ms=retrieve_ms,
        history=history,
        follow_up=follow_up,
        hop=found,
    )


def search(
    settings: Settings,
    retriever: Retriever,
    query: str,
    path_filter: PathFilter | None = None,
    mode: str = "hybrid",
    k: int | None = None,
) -> list[dict[str, Any]]:
    """Ranked passages, no model, as `search --json` prints them (and the server sends)."""
    result = retriever.search(query, k or settings.k, path_filter, mode=mode)
    return passage_dicts(result.passages)


def passage_dicts(passages: Sequence[Passage]) -> list[dict[str, Any]]:
    """Passages numbered from 1, as `search --json` prints them (and a streamed answer
    sends before its first token)."""
    found = [Source(n, p, False).as_dict() for n, p in enumerate(passages, 1)]
    for source, passage in zip(found, passages, strict=True):
        for answer_only in ("cited", "statements", "quotes"):
            source.pop(answer_only)
        # What ranked it (`score` is its cosine to the query, which need not fall in order).
        source["rank_score"] = round(passage.fused, 6)
    return found


def files(
    settings: Settings, under: str | None = None, state: str | None = None
) -> list[dict[str, Any]]:
    """Every file the catalog knows (indexed, and failed with its reason), by path."""
    with existing_index(settings) as index:
        if index is None:
            return []
        records = index.catalog.files(under)
        return [file_info(r) for r in records if state is None or r.state == state]


def file_info(record: FileRecord) -> dict[str, Any]:
    return {
        "path": record.path,
        "state": record.state,
        "reason": record.reason,
        "chunks": record.chunks,
        "size": record.size,
        "mtime": record.mtime_ns / 1e9,
        "updated_at": record.updated_at,
    }


def read_passage(
    settings: Settings,
    path: str,
    chunk: int | None = None,
    page: int | None = None,
    around: int = 1,
) -> PassageText:
    """A file's indexed text around one of its chunks (or one of its pages), from the
    catalog: what a client opens after a citation, safe while a writer works."""
    with existing_index(settings) as index:
        if index is None:
            raise NothingIndexed()
        return read_around(index.catalog, path, chunk=chunk, page=page, around=around)


def summarize(
    settings: Settings, path: Path, backend: Backend | None, embedder: Embeds | None = None
) -> Summary:
    """Summarise one indexed file, section by section; `backend` None quotes key sentences.
    It reads the catalog only (never the vectors); its sentences are embedded by
    `embedder` where the caller has one loaded (or reaches the owner's), else by the
    index's model loaded here."""
    from assistant import summary

    index = open_index(settings, must_exist=True)
    try:
        target = Path(os.path.abspath(path))
        if index.catalog.file(str(target)) is None:
            target = target.resolve()
        return summary.summarize(
            index,
            target,
            sentence_vectors(embedder or embedder_for(settings, index)),
            backend,
            max_tokens=min(settings.max_answer_tokens, summary.SECTION_TOKENS),
            temperature=settings.temperature,
        )
    finally:
        index.close()
