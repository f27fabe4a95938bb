"""The one walker and its rule for what is excluded, on real folders and symlinks: the data
dir is never read whether the walk reaches it directly, through a symlink, or the data dir
itself is given through one; `is_under` compares whole path components."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write

from ingest.scan import Excluded, Root, is_under, scan, walk

NOTE = "# Note\n\nA plain note about the orchard.\n"


@pytest.mark.parametrize(
    ("path", "folder", "expected"),
    [
        ("/docs", "/docs", True),
        ("/docs/a.md", "/docs", True),
        ("/docs/sub/a.md", "/docs/", True),
        ("/docs-old/a.md", "/docs", False),
        ("/doc", "/docs", False),
        ("/anything", "/", True),
        ("docs/a.md", "docs", True),
    ],
)
def test_is_under_compares_whole_components(path: str, folder: str, expected: bool) -> None:
    assert is_under(path, folder) is expected


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, Path]:
    """A folder of documents with the index's data dir inside it, holding a stray note."""
    root = tmp_path / "docs"
    write(root, "note.md", NOTE)
    data = root / "index-data"
    write(data, "stray.md", NOTE)
    return root, data


def found(root: Path, exclude: list[Path]) -> list[str]:
    return sorted(scan([Root(root)], Excluded(exclude)))


def test_the_data_dir_inside_a_root_is_not_scanned(tree: tuple[Path, Path]) -> None:
    root, data = tree
    assert found(root, [data]) == [str(root / "note.md")]
    assert found(root, []) == [str(data / "stray.md"), str(root / "note.md")]


def test_a_symlink_into_the_data_dir_is_excluded_like_the_data_dir(
    tree: tuple[Path, Path],
) -> None:
    root, data = tree
    (root / "sub").mkdir()
    (root / "sub" / "shortcut").symlink_to(data)
    assert found(root, [data]) == [str(root / "note.md")]


def test_a_data_dir_given_through_a_symlink_is_excluded(
    tree: tuple[Path, Path], tmp_path: Path
) -> None:
    root, data = tree
    link = tmp_path / "data-link"
    link.symlink_to(data)
    assert found(root, [link]) == [str(root / "note.md")]


def test_walking_a_folder_below_the_root_uses_the_same_rule(tree: tuple[Path, Path]) -> None:
    """The watcher walks a folder that appeared below its root: a symlink to the data dir
    inside it is not followed (it once was, and the index read its own folder)."""
    root, data = tree
    write(root / "new", "fresh.md", NOTE)
    (root / "new" / "shortcut").symlink_to(data)
    files = walk(Root(root), Excluded([data]), root / "new")
    assert sorted(map(str, files)) == [str(root / "new" / "fresh.md")]


def test_event_paths_are_checked_by_real_path_even_once_gone(tree: tuple[Path, Path]) -> None:
    root, data = tree
    (root / "shortcut").symlink_to(data)
    excluded = Excluded([data])
    assert excluded(str(data / "chroma" / "x.bin"))
    assert excluded(str(root / "shortcut" / "deleted-a-moment-ago.md"))
    assert not excluded(str(root / "note.md"))
    assert not excluded(str(root / "index-data-old" / "note.md"))


def test_a_root_inside_an_excluded_folder_yields_nothing(tree: tuple[Path, Path]) -> None:
    _root, data = tree
    assert found(data, [data]) == []
    assert list(walk(Root(data / "stray.md"), Excluded([data]))) == []


def test_a_file_root_is_taken_even_where_ignore_rules_would_hide_it(tmp_path: Path) -> None:
    hidden = write(tmp_path, ".hidden.md", NOTE)
    assert found(hidden, []) == [str(hidden)]


def test_root_paths_are_absolute_and_unresolved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = tmp_path / "real"
    write(real, "a.md", NOTE)
    link = tmp_path / "link"
    link.symlink_to(real)
    monkeypatch.chdir(tmp_path)
    assert Root("link").text == str(link)
    assert found(Path("link"), []) == [str(link / "a.md")]
