"""The store: what is indexed, kept consistent across a crash.

`index` (the Index: catalog, keywords and vectors together, and the crash order),
`catalog` (file records and chunk text in SQLite), `fts` (keyword search over it),
`vectors` (the Chroma collection), `lock` (the one-writer lock), `owner` (the one
process that may open the embedded vectors), `probe` (opening them in a child process),
`repair` (rebuilding them from the catalog).
"""

from ingest.store.catalog import Catalog, FileRecord, StoredChunk
from ingest.store.fts import KeywordIndex
from ingest.store.index import FileVersion, Index, catalog_exists
from ingest.store.lock import WriterLock, current_writer

__all__ = [
    "Catalog",
    "FileRecord",
    "FileVersion",
    "Index",
    "KeywordIndex",
    "StoredChunk",
    "WriterLock",
    "catalog_exists",
    "current_writer",
]
