"""A small writer of Compound File Binary files (the OLE2 container an Outlook .msg is).

No library on PyPI writes .msg files, so the Outlook reader's test file is built here,
to the published format ([MS-CFB] version 3: 512-byte sectors, streams under 4,096
bytes in the mini stream) and read back by olefile and extract-msg as Outlook's own.
Only what a test needs: storages and streams, written once, no editing.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

SECTOR = 512
MINI = 64
CUTOFF = 4096
FREE, END, FAT_SECTOR, NONE = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


@dataclass
class Storage:
    """A folder of the compound file: `children` maps names to streams or storages."""

    children: dict[str, bytes | Storage] = field(default_factory=dict)


@dataclass
class _Entry:
    name: str
    kind: int  # 1 storage, 2 stream, 5 root
    data: bytes = b""
    children: list[int] = field(default_factory=list)
    start: int = END
    size: int = 0
    right: int = NONE  # the next sibling in the format's order


def _entries(root: Storage) -> list[_Entry]:
    entries = [_Entry("Root Entry", 5)]

    def add(storage: Storage, parent: int) -> None:
        for name, item in storage.children.items():
            index = len(entries)
            entries[parent].children.append(index)
            if isinstance(item, Storage):
                entries.append(_Entry(name, 1))
                add(item, index)
            else:
                entries.append(_Entry(name, 2, item, size=len(item)))

    add(root, 0)
    return entries


def _chain(fat: list[int], first: int, count: int) -> None:
    for n in range(count):
        fat[first + n] = first + n + 1 if n < count - 1 else END


def _sectors(size: int, unit: int) -> int:
    return -(-size // unit)


def write(root: Storage) -> bytes:
    entries = _entries(root)
    mini_stream = bytearray()
    mini_fat: list[int] = []
    big: list[_Entry] = []
    for entry in entries:
        if entry.kind != 2 or not entry.data:
            continue
        if entry.size < CUTOFF:
            entry.start = len(mini_fat)
            count = _sectors(entry.size, MINI)
            mini_fat.extend([0] * count)
            _chain(mini_fat, entry.start, count)
            mini_stream += entry.data.ljust(count * MINI, b"\0")
        else:
            big.append(entry)
    dir_sectors = _sectors(len(entries) * 128, SECTOR)
    minifat_sectors = _sectors(len(mini_fat) * 4, SECTOR)
    ministream_sectors = _sectors(len(mini_stream), SECTOR)
    big_sectors = sum(_sectors(e.size, SECTOR) for e in big)
    rest = dir_sectors + minifat_sectors + ministream_sectors + big_sectors
    fat_sectors = 1
    while fat_sectors * SECTOR // 4 < fat_sectors + rest:
        fat_sectors += 1
    assert fat_sectors <= 109, "the header's DIFAT holds 109 FAT sectors; enough for tests"
    fat = [FREE] * (fat_sectors * SECTOR // 4)
    for n in range(fat_sectors):
        fat[n] = FAT_SECTOR
    next_sector = fat_sectors
    dir_start = next_sector
    _chain(fat, dir_start, dir_sectors)
    next_sector += dir_sectors
    minifat_start = next_sector if minifat_sectors else END
    _chain(fat, next_sector, minifat_sectors)
    next_sector += minifat_sectors
    entries[0].start = next_sector if ministream_sectors else END
    entries[0].size = len(mini_stream)
    _chain(fat, next_sector, ministream_sectors)
    next_sector += ministream_sectors
    body = bytearray()
    for entry in big:
        count = _sectors(entry.size, SECTOR)
        entry.start = next_sector
        _chain(fat, next_sector, count)
        next_sector += count
        body += entry.data.ljust(count * SECTOR, b"\0")

    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        bytes.fromhex("D0CF11E0A1B11AE1"),
        b"\0" * 16,
        0x3E,
        3,
        0xFFFE,
        9,
        6,
        b"\0" * 6,
        0,
        fat_sectors,
        dir_start,
        0,
        CUTOFF,
        minifat_start,
        minifat_sectors,
        END,
        0,
    )
    difat = [n for n in range(fat_sectors)] + [FREE] * (109 - fat_sectors)
    header += struct.pack("<109I", *difat)
    out = bytearray(header)
    out += struct.pack(f"<{len(fat)}I", *fat)
    for entry in entries:
        entry.children.sort(key=lambda i: (len(entries[i].name), entries[i].name.upper()))
        for left, right in zip(entry.children, entry.children[1:], strict=False):
            entries[left].right = right
    directory = b"".join(_directory_entry(e) for e in entries)
    out += directory.ljust(dir_sectors * SECTOR, b"\0")
    minifat_bytes = struct.pack(f"<{len(mini_fat)}I", *mini_fat) if mini_fat else b""
    out += minifat_bytes.ljust(minifat_sectors * SECTOR, b"\xff")
    out += bytes(mini_stream).ljust(ministream_sectors * SECTOR, b"\0")
    out += body
    return bytes(out)


def _directory_entry(entry: _Entry) -> bytes:
    """Siblings are chained through their right pointers, in the format's order (shorter
    names first, then by upper-case name); readers walk the tree, not its balance."""
    name = entry.name.encode("utf-16-le") + b"\0\0"
    return struct.pack(
        "<64sHBBIII16sIQQIII",
        name,
        len(name),
        entry.kind,
        1,  # black
        NONE,
        entry.right,
        entry.children[0] if entry.children else NONE,
        b"\0" * 16,
        0,
        0,
        0,
        entry.start if entry.kind != 1 else 0,
        entry.size,
        0,
    )
