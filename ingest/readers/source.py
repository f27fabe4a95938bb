"""Source code readers: a section per top-level function, class or block, named after it.

The chunker never joins two sections and packs a section from its start, so a function
that fits the chunk size stays one passage, whole, under its name; a longer one is cut
at its blank lines. Python is split by its own parser (ast), methods under their class;
brace languages (C, Go, Rust, Java, JavaScript, TypeScript) and shell scripts by braces
and blank lines, which is where their authors put the seams between functions.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from ingest.document import Document, Section
from ingest.readers import ReadOptions, reader
from ingest.readers._decode import decode_text

# The name a top-level block is known by, from its first line of code.
_NAMED = re.compile(
    r"^(?:(?:export|default|public|private|protected|internal|static|final|abstract|sealed"
    r"|async|unsafe|pub(?:\([^)]*\))?)\s+)*"
    r"(?:func|fn|function|class|interface|struct|enum|trait|impl|type|mod|namespace)\b"
    r"\s*(?:\([^)]*\)\s*)?(?:<[^>]*>\s*)?([A-Za-z_$][\w$]*)"
)
_ASSIGNED_FUNCTION = re.compile(
    r"^(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(?:async\s+)?"
    r"(?:function\b|\([^)]*\)\s*(?::[^=]+)?=>|[A-Za-z_$][\w$]*\s*=>)"
)
_SHELL_FUNCTION = re.compile(r"^(?:function\s+)?([A-Za-z_][\w-]*)\s*\(\)\s*\{?")
_C_FUNCTION = re.compile(r"^[A-Za-z_][\w\s\*&:<>,]*?\b([A-Za-z_]\w*)\s*\([^;]*$")
_CONTAINER = re.compile(r"\b(?:class|interface|impl|trait|namespace|object|enum)\b")
_STRINGS = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|`(?:\\.|[^`\\])*`')
_LINE_COMMENT = re.compile(r"(?://|#).*$")
_COMMENT_START = re.compile(r"^\s*(?://|/\*|\*|#)")


@reader(".py")
def read_python(data: bytes, path: Path, options: ReadOptions) -> Document:
    text = decode_text(data)
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):  # Python 2, a template, a half-written file
        return Document(sections=brace_sections(text), engine="source")
    return Document(sections=python_sections(text, tree), engine="source")


@reader(".js", ".mjs", ".ts", ".tsx", ".go", ".rs", ".java", ".c", ".h", ".cpp", ".sh")
def read_source(data: bytes, path: Path, options: ReadOptions) -> Document:
    return Document(sections=brace_sections(decode_text(data)), engine="source")


def python_sections(text: str, tree: ast.Module) -> list[Section]:
    """Top-level functions and classes each a section (a big class's methods each their
    own, under the class), with the comments right above them; the rest between them."""
    lines = text.splitlines()
    sections: list[Section] = []
    cursor = 0  # first line (0-based) not yet in a section

    def emit(start: int, end: int, headings: tuple[str, ...]) -> None:
        body = "\n".join(lines[start:end]).strip("\n")
        if body.strip():
            sections.append(Section(text=body, headings=headings))

    for node in tree.body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        start = _with_leading_comments(lines, _first_line(node))
        end = node.end_lineno or node.lineno
        emit(cursor, start, ())
        name = _python_name(node)
        methods = (
            [n for n in node.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
            if isinstance(node, ast.ClassDef)
            else []
        )
        inner = start
        for method in methods:
            method_start = _with_leading_comments(lines, _first_line(method))
            emit(inner, method_start, (name,))
            emit(method_start, method.end_lineno or method.lineno, (name, _python_name(method)))
            inner = method.end_lineno or method.lineno
        emit(inner, end, (name,))
        cursor = end
    emit(cursor, len(lines), ())
    return sections or [Section(text=text)]


def _first_line(node: ast.stmt) -> int:
    """0-based first line, decorators included."""
    decorators = getattr(node, "decorator_list", [])
    return min([node.lineno, *(d.lineno for d in decorators)]) - 1


def _with_leading_comments(lines: list[str], start: int) -> int:
    while start > 0 and lines[start - 1].lstrip().startswith("#"):
        start -= 1
    return start


def _python_name(node: ast.stmt) -> str:
    kind = "class" if isinstance(node, ast.ClassDef) else "def"
    return f"{kind} {getattr(node, 'name', '')}"


def brace_sections(text: str) -> list[Section]:
    """Blocks split at blank lines outside any brace (or one level inside a class, impl
    or namespace, where methods live), each named by its first line of code; runs of
    unnamed blocks (imports, constants) are one section."""
    sections: list[Section] = []
    unnamed: list[str] = []
    for block, container in _blocks(text.splitlines()):
        name = _block_name(block)
        if name is None:
            unnamed.append(block)
            continue
        if unnamed:
            sections.append(Section(text="\n\n".join(unnamed), headings=container))
            unnamed = []
        sections.append(Section(text=block, headings=(*container, name)))
    if unnamed:
        sections.append(Section(text="\n\n".join(unnamed)))
    return sections or [Section(text=text)]


def _blocks(lines: list[str]) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(block text, the names of the containers it is inside)."""
    depth = 0
    containers: list[tuple[int, str]] = []  # (depth inside it, name)
    current: list[str] = []
    for line in lines:
        opened_here = depth
        code = _LINE_COMMENT.sub("", _STRINGS.sub('""', line))
        depth = max(0, depth + code.count("{") - code.count("}"))
        if depth > opened_here and opened_here == len(containers) and _CONTAINER.search(code):
            name = _block_name(line) or ""
            if name:
                # The container's opening line is its own small block; its members follow.
                current.append(line)
                yield "\n".join(current).strip("\n"), tuple(n for _, n in containers)
                current = []
                containers.append((depth, name))
                continue
        while containers and depth < containers[-1][0]:
            current.append(line)
            yield "\n".join(current).strip("\n"), tuple(n for _, n in containers)
            current = []
            containers.pop()
            line = ""
        if not line.strip() and depth == len(containers):
            if "".join(current).strip():
                yield "\n".join(current).strip("\n"), tuple(n for _, n in containers)
            current = []
        else:  # a blank line inside a function stays in it
            current.append(line)
    if "".join(current).strip():
        yield "\n".join(current).strip("\n"), tuple(n for _, n in containers)


def _block_name(block: str) -> str | None:
    for line in block.splitlines():
        if not line.strip() or _COMMENT_START.match(line) or line.lstrip().startswith("@"):
            continue
        code = line.strip()
        for pattern in (_NAMED, _ASSIGNED_FUNCTION, _SHELL_FUNCTION):
            match = pattern.match(code)
            if match:
                return match.group(1)
        match = _C_FUNCTION.match(code)
        if match and not code.startswith(("return", "if", "for", "while", "switch", "#")):
            return match.group(1)
        return None
    return None
