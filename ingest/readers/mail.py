"""E-mail readers: .eml (one message) and .mbox (many), one section per message, and each
attachment read by the reader of its own format, cited as `mail.eml › report.pdf, page 2`.

A message's section starts with its From, To, Cc, Date and Subject lines, so a question
about who wrote or when is answered from the passage; the body is the plain-text part,
or the HTML part's text where there is no plain one. An attachment that cannot be read
costs that attachment only (a warning), never the message.
"""

from __future__ import annotations

import dataclasses
import email
import email.policy
import logging
import re
from email.message import EmailMessage, Message
from pathlib import Path

from ingest.document import Document, Section, UnreadableFile
from ingest.readers import ReadOptions, reader
from ingest.readers._attachments import deeper, inside, read_attachment, safe_name
from ingest.readers.html import html_document

log = logging.getLogger(__name__)

_HEADERS = ("From", "To", "Cc", "Date", "Subject")
# mbox separates messages with a line starting "From " (Python's mailbox module splits the
# same way); the reader has the bytes, so it splits them itself rather than reopen the file.
_MBOX_SEPARATOR = re.compile(rb"^From [^\r\n]*\r?\n", re.MULTILINE)


@reader(".eml")
def read_eml(data: bytes, path: Path, options: ReadOptions) -> Document:
    message = _parse(data)
    # The parser takes any bytes for a body without headers; a message has some of these.
    if not any(message.get(h) for h in (*_HEADERS, "Message-ID", "Received")):
        raise UnreadableFile("not an e-mail message: no From, To, Date or Subject header")
    metadata = {"title": str(message.get("Subject", "")).strip()}
    metadata["author"] = str(message.get("From", "")).strip()
    return Document(
        sections=message_sections(message, path, options),
        metadata={k: v for k, v in metadata.items() if v},
        engine="email",
    )


@reader(".mbox")
def read_mbox(data: bytes, path: Path, options: ReadOptions) -> Document:
    if not data.startswith(b"From "):
        raise UnreadableFile("not an mbox file (it must start with a 'From ' line)")
    sections: list[Section] = []
    for raw in _MBOX_SEPARATOR.split(data):
        if raw.strip():
            sections.extend(message_sections(_parse(raw), path, options))
    return Document(sections=sections, engine="email")


def _parse(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def message_sections(message: EmailMessage, path: Path, options: ReadOptions) -> list[Section]:
    """The message as a section (headers, then body) and its attachments' sections."""
    subject = " ".join(str(message.get("Subject", "")).split())
    header_lines = [f"{h}: {' '.join(str(message[h]).split())}" for h in _HEADERS if message[h]]
    headings = (subject,) if subject else ()
    body = _body(message)
    # The headers open the first section; an HTML body's tables follow as their own.
    first = body.pop(0).text if body and body[0].kind == "text" else ""
    text = "\n".join(header_lines) + ("\n\n" + first if first else "")
    sections = [Section(text=text, headings=headings)]
    sections += [dataclasses.replace(s, headings=headings) for s in body]
    for part in message.iter_attachments():
        sections.extend(_attachment_sections(part, path, options))
    return sections


def _body(message: EmailMessage) -> list[Section]:
    """The body as sections: plain text is one; HTML's tables are sections of their own."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return []
    try:
        content = part.get_content()
    except (LookupError, ValueError) as exc:  # an unknown charset, a broken encoding
        log.debug("message body undecodable: %s", exc)
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if not isinstance(content, str):
        return []
    if part.get_content_subtype() == "html":
        return _merged_text(html_document(content).sections)
    return [Section(content.strip())] if content.strip() else []


def _merged_text(sections: list[Section]) -> list[Section]:
    """Runs of prose joined into one section (a message has no heading path of its own
    below its subject), tables and forms kept apart."""
    out: list[Section] = []
    for section in sections:
        if out and out[-1].kind == "text" and section.kind == "text":
            out[-1] = Section(f"{out[-1].text}\n\n{section.text}")
        else:
            out.append(Section(section.text, kind=section.kind))
    return out


def _attachment_sections(part: Message, path: Path, options: ReadOptions) -> list[Section]:
    name = safe_name(part.get_filename(), "attachment")
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        inner_message = inner[0] if isinstance(inner, list) and inner else None
        nested = deeper(options)
        if not isinstance(inner_message, EmailMessage) or nested is None:
            return []
        label = name if part.get_filename() else "message.eml"
        return [inside(s, label) for s in message_sections(inner_message, path, nested)]
    data = part.get_payload(decode=True)
    return read_attachment(data, name, path, options) if isinstance(data, bytes) else []
