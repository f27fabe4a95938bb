"""The layers hold: `ingest/` never imports `assistant`, and only the faces
(`assistant/cli.py`, `assistant/commands.py`, `assistant/progress.py` and
`assistant/tui/`) import typer, click, rich or textual.

Imports are read from the source with `ast`, so an import inside a function (the lazy kind
the CLI uses) counts as much as one at the top, and so does `importlib.import_module` of a
literal name. The checker is proved able to fail on planted modules.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("ingest", "assistant")
FACE_LIBRARIES = frozenset({"typer", "click", "rich", "textual"})


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, module: str) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every import in the file, wherever it stands."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = module.split(".")
                base = package[: len(package) - node.level + (1 if is_package else 0)]
                yield node.lineno, ".".join([*base, *([node.module] if node.module else [])])
            elif node.module:
                yield node.lineno, node.module
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, (ast.Attribute, ast.Name))
            and (getattr(node.func, "attr", None) or getattr(node.func, "id", None))
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.lineno, node.args[0].value


def is_face(module: str) -> bool:
    return (
        module in ("assistant.cli", "assistant.commands", "assistant.progress")
        or module == "assistant.tui"
        or module.startswith("assistant.tui.")
    )


def all_imports(root: Path) -> Iterator[tuple[str, int, str, str]]:
    """(file, line, importing module, imported module) for both packages under `root`."""
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            module = module_name(root, path)
            for line, name in imports(path, module):
                yield str(path.relative_to(root)), line, module, name


def layering_violations(root: Path) -> list[str]:
    found = []
    for file, line, module, name in all_imports(root):
        top = name.split(".")[0]
        if module.split(".")[0] == "ingest" and top == "assistant":
            found.append(f"{file}:{line}: ingest imports {name}")
        elif top in FACE_LIBRARIES and not is_face(module):
            found.append(f"{file}:{line}: only the CLI and the TUI may import {name}")
    return found


def test_the_project_keeps_its_layers() -> None:
    seen = {(module, name) for _file, _line, module, name in all_imports(ROOT)}
    # The checker reads the real tree, lazy imports inside functions included.
    assert {("assistant.commands", "typer"), ("assistant.progress", "rich.progress")} <= seen
    assert ("assistant.commands", "assistant.tui") in seen  # `chat` imports the TUI lazily
    assert layering_violations(ROOT) == []


def test_the_check_fails_on_planted_modules(tmp_path: Path) -> None:
    planted = {
        "ingest/__init__.py": "",
        "ingest/fine.py": "import os\nfrom ingest.store import Index\n",
        "ingest/sneaky.py": "def later():\n    from assistant import library\n",
        "ingest/dynamic.py": "import importlib\nimportlib.import_module('assistant.cli')\n",
        "assistant/__init__.py": "",
        "assistant/core.py": "import rich.console\n",
        "assistant/lazy.py": "def show():\n    if True:\n        import textual.app\n",
        "assistant/cli.py": "import typer\nfrom rich.progress import Progress\n",
        "assistant/tui/__init__.py": "",
        "assistant/tui/app.py": "from textual.app import App\nfrom . import screens\n",
        "assistant/tui/screens.py": "from ..cli import app\n",
        "assistant/models/__init__.py": "from .. import core\nfrom ..tui import app\n",
    }
    for name, text in planted.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert layering_violations(tmp_path) == [
        "ingest/dynamic.py:2: ingest imports assistant.cli",
        "ingest/sneaky.py:2: ingest imports assistant",
        "assistant/core.py:1: only the CLI and the TUI may import rich.console",
        "assistant/lazy.py:3: only the CLI and the TUI may import textual.app",
    ]
    found = dict(imports(tmp_path / "assistant/models/__init__.py", "assistant.models"))
    assert found == {1: "assistant", 2: "assistant.tui"}
    assert dict(imports(tmp_path / "assistant/tui/screens.py", "assistant.tui.screens")) == {
        1: "assistant.cli"
    }
