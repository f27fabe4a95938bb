"""A process that only reads opens the embedded store on Chroma's engine alone
(ingest.store.reader): it must find what the full client finds, give way to the full
client when the same process writes, and fall back to it where the engine cannot open.

Real Chroma in a temp dir, real vectors written by the full client.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.store import owner
from ingest.store.reader import StoreReader, open_reader
from ingest.store.vectors import COLLECTION, VectorStore, close_client, open_client

DOCS, PER_DOC, DIMENSION = 12, 15, 24


def unit_vector(rng: random.Random) -> list[float]:
    v = [rng.gauss(0, 1) for _ in range(DIMENSION)]
    norm = sum(x * x for x in v) ** 0.5
    return [x / norm for x in v]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Path]:
    """A data dir whose store holds 180 vectors of 12 documents, written and closed by
    the full client, with the owner lock held for the test."""
    assert owner.try_claim(tmp_path, "test")
    persist = tmp_path / "chroma"
    try:
        rng = random.Random(7)
        ids = [f"{n // PER_DOC}:{n % PER_DOC}" for n in range(DOCS * PER_DOC)]
        full = VectorStore(open_client(persist))
        full.add(ids, [unit_vector(rng) for _ in ids], [{"doc": int(i.split(":")[0])} for i in ids])
        close_client(persist)
        yield persist
    finally:
        close_client(persist)
        owner.release(tmp_path)


def searches(vectors: VectorStore) -> list[object]:
    """Nearest neighbours with and without a document filter, exact similarities, count."""
    rng = random.Random(11)
    out: list[object] = [vectors.count()]
    for _ in range(5):
        query = unit_vector(rng)
        out.append([(i, round(s, 5)) for i, s in vectors.query(query, 10)])
        out.append([(i, round(s, 5)) for i, s in vectors.query(query, 6, docs=[2, 5, 9])])
        exact = vectors.similarities(query, ["1:3", "4:0", "9:14"])
        out.append([(i, round(s, 5)) for i, s in exact])
    return out


def test_the_read_only_client_finds_what_the_full_client_finds(store: Path) -> None:
    expected = searches(VectorStore(open_client(store)))
    close_client(store)
    reader = open_client(store, read_only=True)
    assert isinstance(reader, StoreReader)
    assert searches(VectorStore(reader)) == expected
    assert expected[0] == DOCS * PER_DOC


def test_a_reader_gives_way_to_the_full_client_when_the_process_writes(store: Path) -> None:
    read = VectorStore(open_client(store, read_only=True))
    assert len(read.query(unit_vector(random.Random(1)), 3)) == 3
    write = VectorStore(open_client(store))  # the same process now writes
    assert not isinstance(write.client, StoreReader)
    write.delete_doc(0)
    assert write.count() == (DOCS - 1) * PER_DOC
    with pytest.raises(RuntimeError, match="closed"):
        read.query(unit_vector(random.Random(1)), 3)  # never a second engine on one store
    assert open_client(store, read_only=True) is write.client  # a writer's client reads too


def test_a_store_the_engine_cannot_read_opens_with_the_full_client(store: Path) -> None:
    """No collection of that name: the reader declines (the engine would have to create
    one), and `open_client` falls back to the full client rather than fail."""
    assert open_reader(store, "not-" + COLLECTION) is None
    assert open_reader(store.parent / "nowhere", COLLECTION) is None
    assert open_reader(store, COLLECTION) is not None
