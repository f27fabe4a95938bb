"""EPUB reader (ebooklib): the chapters in reading order, each a section under its title.

A chapter is an XHTML file of the book's spine, read by the HTML reader, so headings
inside a chapter nest under the chapter's title from the table of contents.
"""

from __future__ import annotations

import dataclasses
import logging
import posixpath
import zipfile
from pathlib import Path
from typing import Any

from ingest.document import Document, Section, UnreadableFile
from ingest.readers import ReadOptions, parser, reader, short_reason
from ingest.readers._decode import decode_text
from ingest.readers.html import html_document

log = logging.getLogger(__name__)


@reader(".epub")
def read_epub(data: bytes, path: Path, options: ReadOptions) -> Document:
    parser("ebooklib", "ebooklib")
    import io

    from ebooklib import ITEM_DOCUMENT, epub

    try:
        book = epub.read_epub(io.BytesIO(data), {"ignore_ncx": True})
    except (zipfile.BadZipFile, epub.EpubException, KeyError, ValueError, OSError) as exc:
        raise UnreadableFile(f"corrupt EPUB: {short_reason(exc)}") from exc
    titles = _toc_titles(book.toc)
    sections: list[Section] = []
    for idref, _linear in book.spine:
        item = book.get_item_with_id(idref)
        if item is None or item.get_type() != ITEM_DOCUMENT:
            continue
        try:
            chapter = html_document(decode_text(item.get_content()))
        except UnreadableFile as exc:  # one broken chapter costs that chapter only
            log.warning("%s: chapter %s: %s", path, item.get_name(), exc)
            continue
        title = titles.get(item.get_name()) or chapter.metadata.get("title", "")
        for section in chapter.sections:
            headings = section.headings
            if title and headings[:1] != (title,):
                headings = (title, *headings)
            sections.append(dataclasses.replace(section, headings=headings))
    return Document(sections=sections, metadata=_metadata(book), engine="ebooklib")


def _toc_titles(toc: Any) -> dict[str, str]:
    """Chapter file -> its title in the table of contents (nested entries included)."""
    from ebooklib import epub

    titles: dict[str, str] = {}
    for entry in toc:
        if isinstance(entry, tuple):  # (Section, [children])
            section, children = entry
            if getattr(section, "href", None):
                titles.setdefault(_href_file(section.href), section.title)
            titles.update({k: v for k, v in _toc_titles(children).items() if k not in titles})
        elif isinstance(entry, epub.Link | epub.EpubHtml):
            href = getattr(entry, "href", None) or entry.get_name()
            titles.setdefault(_href_file(href), entry.title)
    return titles


def _href_file(href: str) -> str:
    return posixpath.normpath(href.split("#", 1)[0])


def _metadata(book: Any) -> dict[str, str]:
    out = {}
    for key, field in (("title", "title"), ("author", "creator")):
        values = book.get_metadata("DC", field)
        if values and str(values[0][0]).strip():
            out[key] = str(values[0][0]).strip()
    return out
