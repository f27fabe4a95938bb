"""Retrieval latency at 100,000 chunks, filtered-search strategies, and the embedded model's
time to first token and tokens/s. Run by hand; prints a Markdown section for RESULTS.md.

    python bench/bench_retrieval.py --source DATA_DIR [--target 100000] [--queries 200]
        [--keep DIR] [--search-only]

SOURCE is an index built from real text (for example the SciFact index that
`assistant eval /work/shared/data/scifact --split train` leaves under DATA_DIR/eval/).
Its passages and their real vectors are copied, under new content ids, until the bench
index holds TARGET chunks: real text and real vectors, so both the BM25 side and the HNSW
side see a realistic distribution, without 80 minutes of embedding.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from ingest.offline import force_offline

force_offline()

import assistant  # noqa: E402
from assistant.library import _embedder  # noqa: E402
from assistant.retrieve import PathFilter, Retriever, overfetch_size  # noqa: E402
from ingest.chunk import Chunk  # noqa: E402
from ingest.store import FileVersion, Index  # noqa: E402
from ingest.store.catalog import vector_ids  # noqa: E402


def build_bench_index(source: Index, target: Path, chunks_wanted: int) -> Index:
    """Copy the source's files (text and real vectors) under new paths until the bench index
    holds `chunks_wanted` chunks, writing a few hundred files per vector-store call."""
    bench = Index(target)
    model = source.model
    assert model is not None, "the source index has no model recorded"
    bench.bind_model(*model)
    rows = list(
        source.catalog.db.execute(
            "SELECT path, doc_id, size, mtime_ns, hash, chunks FROM files "
            "WHERE state = 'indexed' ORDER BY path"
        )
    )
    files: list[tuple[str, int, int, str, list[Chunk], list[list[float]]]] = []
    for path, doc_id, size, mtime_ns, content_hash, count in rows:
        ids = vector_ids(doc_id, count)
        got = source.vectors.collection.get(ids=ids, include=["embeddings"])
        by_id = dict(zip(got["ids"], got["embeddings"], strict=True))
        stored = source.catalog.chunks_by_ids(ids)
        chunks = [
            Chunk(c.index, c.text, c.char_start, c.char_end, c.page_start, c.page_end, c.headings)
            for c in (stored[i] for i in ids)
        ]
        files.append((path, size, mtime_ns, content_hash, chunks, [list(by_id[i]) for i in ids]))
    total, copy = 0, 0
    while total < chunks_wanted:
        batch: list[FileVersion] = []
        for path, size, mtime_ns, content_hash, chunks, vectors in files:
            if total >= chunks_wanted:
                break
            new_path = str(Path(path).parent / f"copy{copy}" / Path(path).name)
            batch.append(FileVersion(new_path, size, mtime_ns, content_hash, chunks, vectors))
            total += len(chunks)
            if len(batch) >= 500:
                bench.write_files(batch)
                batch = []
        bench.write_files(batch)
        copy += 1
    return bench


def compare_backends(bench: Index, queries: list[str], cache: Path, timed, row) -> None:  # type: ignore[no-untyped-def]
    """Query embedding and hybrid search with each encoder, alternating A B A B so load
    from other work falls on both."""
    backends = ("onnx-int8", "torch")
    retrievers = {name: Retriever(bench, _embedder(None, None, name, cache)) for name in backends}
    for r in retrievers.values():
        for q in queries[:10]:
            r.search(q, 5)
    times: dict[str, dict[str, list[float]]] = {n: {"embed": [], "hybrid": []} for n in retrievers}
    for _ in range(2):
        for name, r in retrievers.items():
            times[name]["embed"] += timed(lambda q, r=r: r.embedder.embed([q]))
            times[name]["hybrid"] += timed(lambda q, r=r: r.search(q, 5))
    print("\n| backend: step | p50 ms | p95 ms |\n| --- | --- | --- |")
    for name, steps in times.items():
        for step, values in steps.items():
            print(row(f"{name}: {step}", values))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", type=Path, required=True, help="a data dir with an index")
    parser.add_argument(
        "--queries-file", type=Path, default=Path("/work/shared/data/scifact/queries.jsonl")
    )
    parser.add_argument("--target", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--keep", type=Path, help="build (or reuse) the bench index here")
    parser.add_argument(
        "--compare-backends",
        action="store_true",
        help="also time query embedding and hybrid search with int8 ONNX and fp32 torch, "
        "alternating, on the same index and queries",
    )
    parser.add_argument(
        "--search-only",
        action="store_true",
        help="time only whole searches (hybrid, and under each filter), to compare two "
        "versions of the code on one index: run it again with PYTHONPATH=OTHER_CHECKOUT",
    )
    args = parser.parse_args()

    source = Index(args.source)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="bench-retrieval-"))
    started = time.perf_counter()
    if args.keep and (workdir / "catalog.sqlite3").exists():
        bench = Index(workdir)
    else:
        bench = build_bench_index(source, workdir, args.target)
    build_s = time.perf_counter() - started
    counts = bench.catalog.counts()
    print(
        f"bench index: {counts['chunks']} chunks in {counts['files']} files, "
        f"{bench.vectors.count()} vectors, built in {build_s:.0f} s",
        file=sys.stderr,
    )

    queries = [json.loads(line)["text"] for line in args.queries_file.open()][: args.queries]
    embedder = _embedder(None, None, "auto", workdir / "models")
    retriever = Retriever(bench, embedder)
    for q in queries[:10]:  # warm up: model, HNSW index in memory, SQLite pages
        retriever.search(q, 5)

    def timed(fn) -> list[float]:  # type: ignore[no-untyped-def]
        out = []
        for q in queries:
            t = time.perf_counter()
            fn(q)
            out.append((time.perf_counter() - t) * 1000)
        return out

    def row(name: str, values: list[float]) -> str:
        return f"| {name} | {statistics.median(values):.1f} | {percentile(values, 0.95):.1f} |"

    # Filters passing ~0.04 % to ~12 % of the index: files of one copy of the corpus.
    copy0 = str(Path(next(bench.catalog.files()).path).parent)
    patterns = (f"{copy0}/doc-100*.md", f"{copy0}/doc-10*.md", f"{copy0}/doc-1*", copy0)
    hybrid_ms = timed(lambda q: retriever.search(q, 5))
    if args.search_only:
        print(f"code: {Path(assistant.__file__).parent.parent}\n")
        print("| search | p50 ms | p95 ms |\n| --- | --- | --- |")
        print(row("hybrid", hybrid_ms))
        for pattern in patterns:
            flt = PathFilter.build(pattern, [])
            name = f"filtered `{Path(pattern).name}`"
            if not bench.catalog.doc_chunk_counts(flt):
                print(f"| {name} | refused: no chunk passes | - |")
                continue
            print(row(name, timed(lambda q, f=flt: retriever.search(q, 5, path_filter=f))))
        return
    if args.compare_backends:
        compare_backends(bench, queries, workdir / "models", timed, row)
    embed_ms = timed(lambda q: embedder.embed([q]))
    vector_ms = timed(lambda q: retriever.search(q, 5, mode="vector"))
    keyword_ms = timed(lambda q: retriever.search(q, 5, mode="keyword"))

    vectors = {q: embedder.embed([q])[0] for q in queries}
    store = bench.vectors
    unfiltered_ms = timed(lambda q: store.query(vectors[q], 40))

    def p50(values: list[float] | None) -> str:
        return "-" if values is None else f"{statistics.median(values):.1f}"

    print(
        f"\n### Retrieval latency at {counts['chunks']:,} chunks ({len(queries)} SciFact queries)\n"
    )
    print(f"embedding: {embedder.plan().backend}, {embedder.plan().precision}\n")
    print("| step | p50 ms | p95 ms |\n| --- | --- | --- |")
    print(row("query embedding alone", embed_ms))
    print(row("hybrid search (embed + Chroma + FTS5 + fusion + fetch)", hybrid_ms))
    print(row("vector-only search", vector_ms))
    print(row("keyword-only search", keyword_ms))
    print(row("Chroma query alone, unfiltered (40 neighbours)", unfiltered_ms))

    # Filtered search: our whole hybrid search, beside each way of doing its vector side
    # alone (p50 ms).
    print(
        "\n| filter (chunks passing) | ours: hybrid p50 / p95 | exact scoring | "
        "over-fetch (neighbours) | Chroma `where` |\n| --- | --- | --- | --- | --- |"
    )
    for pattern in patterns:
        flt = PathFilter.build(pattern, [])
        allowed = bench.catalog.doc_chunk_counts(flt)
        passing = sum(allowed.values())
        if passing == 0:  # the search refuses such a filter (FilterMatchesNothing)
            print(f"| `{Path(pattern).name}` (0) | refused: no chunk passes | - | - | - |")
            continue
        ids = [i for d, n in allowed.items() for i in vector_ids(d, n)]
        wanted = overfetch_size(40, passing, counts["chunks"])
        ours = timed(lambda q, f=flt: retriever.search(q, 5, path_filter=f))
        exact = (
            timed(lambda q, i=ids: store.similarities(vectors[q], i)) if passing <= 5000 else None
        )
        over = timed(lambda q, w=wanted: store.query(vectors[q], w)) if wanted <= 20000 else None
        where = timed(lambda q, d=list(allowed): store.query(vectors[q], 40, docs=d))
        print(
            f"| `{Path(pattern).name}` ({passing:,}) | {p50(ours)} / {percentile(ours, 0.95):.1f} "
            f"| {p50(exact)} | {p50(over)} ({wanted:,}) | {p50(where)} |"
        )
    print(f"\nindex size on disk: {bench.size_on_disk() / 1e6:.0f} MB")
    if not args.keep:
        bench.close()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
