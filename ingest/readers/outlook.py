"""Outlook .msg reader (extract-msg): the message as a section, its attachments by their
own readers and cited by name, like an .eml (ingest/readers/mail.py)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from ingest.document import Document, Section, UnreadableFile
from ingest.readers import ReadOptions, parser, reader, short_reason
from ingest.readers._attachments import deeper, inside, read_attachment, safe_name
from ingest.readers.html import html_document

log = logging.getLogger(__name__)


@reader(".msg")
def read_msg(data: bytes, path: Path, options: ReadOptions) -> Document:
    extract_msg = parser("extract_msg", "extract-msg")
    try:
        message = extract_msg.openMsg(data)
    except Exception as exc:  # extract-msg and olefile raise many kinds on a broken file
        raise UnreadableFile(f"corrupt Outlook message: {short_reason(exc)}") from exc
    try:
        sections = _message_sections(message, path, options)
        metadata = {"title": _field(message, "subject"), "author": _field(message, "sender")}
    finally:
        message.close()
    return Document(
        sections=sections, metadata={k: v for k, v in metadata.items() if v}, engine="extract-msg"
    )


def _field(message: Any, name: str) -> str:
    try:
        value = getattr(message, name, None)
    except Exception as exc:  # a property stream that does not decode
        log.debug("Outlook message: %s unreadable: %s", name, exc)
        return ""
    return " ".join(str(value).split()) if value else ""


def _message_sections(message: Any, path: Path, options: ReadOptions) -> list[Section]:
    headers = [
        f"{label}: {value}"
        for label, name in (
            ("From", "sender"),
            ("To", "to"),
            ("Cc", "cc"),
            ("Date", "date"),
            ("Subject", "subject"),
        )
        if (value := _field(message, name))
    ]
    body = _body(message)
    subject = _field(message, "subject")
    text = "\n".join(headers) + ("\n\n" + body if body else "")
    sections = [Section(text=text, headings=(subject,) if subject else ())]
    for attachment in getattr(message, "attachments", []):
        sections.extend(_attachment_sections(attachment, path, options))
    return sections


def _body(message: Any) -> str:
    try:
        body = message.body
        if body and body.strip():
            return str(body).strip()
        html = message.htmlBody
    except Exception as exc:
        log.debug("Outlook message body unreadable: %s", exc)
        return ""
    if not html:
        return ""
    markup = html.decode("utf-8", "replace") if isinstance(html, bytes) else str(html)
    return "\n\n".join(s.text for s in html_document(markup).sections)


def _attachment_sections(attachment: Any, path: Path, options: ReadOptions) -> list[Section]:
    name = safe_name(_field(attachment, "longFilename") or _field(attachment, "shortFilename"))
    try:
        data = attachment.data
    except Exception as exc:  # a stream the file promises but does not hold
        log.warning("%s: attachment %s: unreadable: %s", path, name, short_reason(exc))
        return []
    if data is None or isinstance(data, bytes):
        return read_attachment(data, name, path, options) if data else []
    nested = deeper(options)  # an Outlook message attached to this one
    if nested is None:
        return []
    label = name if name != "attachment" else "message.msg"
    return [inside(s, label) for s in _message_sections(data, path, nested)]
