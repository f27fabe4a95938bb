"""Turning a text file's bytes into str: BOMs, strict UTF-8, then a guessed legacy encoding.

Shared by the plain-text, Markdown and HTML readers, so one file decodes the same way
whichever reader opens it. The leading underscore keeps the registry from importing this
module as a reader.
"""

from __future__ import annotations

import codecs
import logging

from ingest.document import UnreadableFile

log = logging.getLogger(__name__)

# Longest BOMs first: the UTF-32 LE BOM starts with the UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Bytes below 0x20 that real text uses; the rest (NUL, BEL, ...) mark binary data.
_TEXT_CONTROLS = frozenset(b"\t\n\r\f\v\x1b")
_BAD_BYTES = bytes(b for b in range(0x20) if b not in _TEXT_CONTROLS)
_SAMPLE = 8192
# Above this share of bad bytes a file is binary. Random or compressed data has about 10%
# (26 of 256 values); a log or an export with a few stray NULs has well under 1%.
_BINARY_SHARE = 0.05
# Browsers read these labels as windows-1252 (WHATWG Encoding), and so do the pages' authors.
_WEB_ALIASES = {
    label: "cp1252"
    for label in ("iso-8859-1", "iso8859-1", "latin1", "latin-1", "us-ascii", "ascii")
}


def decode_text(data: bytes, declared: str | None = None) -> str:
    """Decode `data` as text or raise UnreadableFile("binary data, not text").

    `declared` is an encoding the file itself names (an HTML meta charset). It comes after
    strict UTF-8: non-ASCII bytes that happen to form valid UTF-8 almost never occur in
    legacy text, while a page re-saved as UTF-8 with its old meta tag left in is common.
    Line endings are left as they are: the chunker splits on blank lines either way.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    utf16 = _bom_less_utf16(data)
    if utf16 is not None:
        return utf16
    # Before UTF-8: a zero-filled or NUL-laced file is valid UTF-8 but not text.
    if _looks_binary(data):
        raise UnreadableFile("binary data, not text")
    # A few stray NULs in real text are dropped: they mean nothing to a reader.
    data = data.replace(b"\x00", b"")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if declared:
        encoding = _WEB_ALIASES.get(declared.strip().lower(), declared)
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            log.debug("declared encoding %r does not fit; guessing", declared)
    encoding = _guess_legacy_encoding(data)
    if encoding is None:
        raise UnreadableFile("binary data, not text")
    return data.decode(encoding, errors="replace")


def _looks_binary(data: bytes) -> bool:
    """Many NULs or other control bytes: no text encoding produces those. A share, not
    any one: a few NULs left by a crashed writer made a whole log "binary"."""
    sample = data[:_SAMPLE]
    bad = len(sample) - len(sample.translate(None, _BAD_BYTES))
    return bad > len(sample) * _BINARY_SHARE


def _bom_less_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM (some Windows tools write it) has a NUL in every other byte."""
    sample = data[:_SAMPLE]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even_nuls = sample[0::2].count(0) / (len(sample) // 2)
    odd_nuls = sample[1::2].count(0) / (len(sample) // 2)
    if odd_nuls > 0.4 and even_nuls < 0.05:
        encoding = "utf-16-le"
    elif even_nuls > 0.4 and odd_nuls < 0.05:
        encoding = "utf-16-be"
    else:
        return None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _guess_legacy_encoding(data: bytes) -> str | None:
    """The most plausible single-byte or CJK encoding, preferring cp1252 on a tie.

    On short Western text charset-normalizer scores cp1250, cp1252 and cp1257 equally
    and may pick any of them; cp1252 is by far the most common, so it wins a tie.
    """
    # Imported here: most text is UTF-8 and never gets this far, and importing the
    # package costs tens of milliseconds on every CLI start (the registry imports us).
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    if not matches:
        return None
    best = matches[0]
    for match in matches:
        if match.chaos > best.chaos:
            break
        if "cp1252" in match.could_be_from_charset:
            log.debug("legacy encoding: cp1252 (tied with %s)", best.encoding)
            return "cp1252"
    log.debug("legacy encoding: %s", best.encoding)
    return best.encoding
