"""Files inside files (an e-mail's attachments): read by their own format's reader, and
every section marked with the attachment's name so a citation can say where it is.

Shared by the .eml/.mbox and Outlook .msg readers. The leading underscore keeps the
registry from taking this module for a reader.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

from ingest.document import Section, UnreadableFile
from ingest.readers import ReadOptions, is_supported, read_document

log = logging.getLogger(__name__)

SEPARATOR = " › "  # between a file and the attachment inside it, in citations too
# How deep attachments inside attachments are followed (a mail forwarding a mail with a
# PDF is depth 2); a bomb of nested messages stops here rather than at the memory limit.
MAX_NESTING = 4


def safe_name(name: str | None, default: str = "attachment") -> str:
    """The file name alone: a sender's `..\\..\\x.pdf` names no folder here."""
    return Path((name or "").replace("\\", "/")).name or default


def deeper(options: ReadOptions) -> ReadOptions | None:
    """The options for reading one level further in, or None where that is too deep."""
    if options.nesting >= MAX_NESTING:
        return None
    return dataclasses.replace(options, nesting=options.nesting + 1)


def read_attachment(data: bytes, name: str, path: Path, options: ReadOptions) -> list[Section]:
    """The attachment's sections, marked with its name; none (and a line in the log) where
    it is of a format we do not read, unreadable, or nested too deep: an attachment that
    fails never costs the message it came with."""
    nested = deeper(options)
    if nested is None or not is_supported(Path(name)):
        log.info("%s: attachment %s: not read (unsupported format or nested too deep)", path, name)
        return []
    try:
        document = read_document(data, Path(name), nested)
    except UnreadableFile as exc:
        log.warning("%s: attachment %s: %s", path, name, exc)
        return []
    return [inside(s, name) for s in document.sections]


def inside(section: Section, name: str) -> Section:
    """`section` as part of the attachment `name` (a nested attachment's name after it)."""
    if section.attachment is not None:
        name = f"{name}{SEPARATOR}{section.attachment}"
    return dataclasses.replace(section, attachment=name)
