"""The documentation names only commands and flags that exist, and the README's test
command is what CI runs.

Every `assistant SUBCOMMAND` in README.md and docs/*.md, in a code block or in inline code,
must be a real command, and every `--flag` after it must appear in that command's own
`--help` (flags before the command in the global `--help`). Inline-code flags in a section
whose heading names a command (`## \\`assistant ask "QUESTION"\\``) are held to that
command's help (or the global one) too. The help is the real CLI's, through typer's CliRunner.
"""

from __future__ import annotations

import functools
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.commands import app

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
GLOBAL = ""  # the key of the global --help
GLOBAL_WITH_VALUE = {"--data-dir", "--config", "--chroma-url"}
SEPARATORS = {"&&", "||", ";", "|", "(", ")", "&", ">", ">>", "<", "2>"}
FENCE = re.compile(r"^(```|~~~)")
HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
CODE_SPAN = re.compile(r"`([^`]+)`", re.DOTALL)
COMMAND_WORD = re.compile(r"[a-z][a-z-]*")


@functools.cache
def help_text(command: str) -> str:
    """The real `--help` of `command` (GLOBAL: the app's own), wide enough that no flag
    is cut; '' when there is no such command."""
    args = [command, "--help"] if command else ["--help"]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "250", "TERM": "dumb"})
    return result.output if result.exit_code == 0 else ""


def flag_in_help(flag: str, command: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", help_text(command)) is not None


def tokens(text: str) -> list[str]:
    """Shell words, with &&, |, ; and friends as words of their own and comments dropped;
    text that is not balanced shell (prose in a code span) falls back to plain words."""
    lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    try:
        return list(lexer)
    except ValueError:
        return text.split()


def is_assistant(word: str) -> bool:
    return word == "assistant" or word.endswith("/bin/assistant")


def invocations(words: list[str]) -> Iterator[list[str]]:
    """The words after each `assistant` in command position (first, after a separator or
    `VAR=value`s, or in `python -m assistant`), up to the next separator."""
    start = True
    for i, word in enumerate(words):
        if word in SEPARATORS:
            start = True
            continue
        called = is_assistant(word) and (start or words[i - 1] == "-m")
        if called:
            rest = []
            for following in words[i + 1 :]:
                if following in SEPARATORS:
                    break
                rest.append(following)
            yield rest
        start = start and re.fullmatch(r"\w+=\S*|\$|sudo|time", word) is not None


def check_invocation(words: list[str]) -> list[str]:
    """What is wrong with one `assistant ...`: an unknown command, a flag its help lacks."""
    problems = []
    i = 0
    while i < len(words) and words[i].startswith("-"):
        flag = words[i].split("=")[0]
        if flag.startswith("--") and not flag_in_help(flag, GLOBAL):
            problems.append(f"`assistant {flag}`: no such global option")
        i += 2 if flag in GLOBAL_WITH_VALUE and "=" not in words[i] else 1
    if i >= len(words) or not COMMAND_WORD.fullmatch(words[i]):
        return problems  # `assistant` alone, or a placeholder such as COMMAND
    command = words[i]
    if not help_text(command):
        return [*problems, f"`assistant {command}`: no such command"]
    for word in words[i + 1 :]:
        flag = word.split("=")[0]
        if re.fullmatch(r"--[a-z][a-z0-9-]*", flag) and not flag_in_help(flag, command):
            problems.append(f"`assistant {command} {flag}`: not in `assistant {command} --help`")
    return problems


def heading_commands(title: str) -> set[str]:
    """The commands a heading names in inline code: `assistant serve` and `assistant mcp`."""
    found = set()
    for span in CODE_SPAN.findall(title):
        for words in invocations(tokens(span)):
            if words and COMMAND_WORD.fullmatch(words[0]):
                found.add(words[0])
    return found


def problems_in(markdown: str) -> list[str]:
    """Every wrong command or flag in one page."""
    problems: list[str] = []
    sections: list[tuple[int, set[str]]] = []  # the headings above, with their commands
    prose: list[str] = []
    fenced = False

    def check_prose() -> None:
        scope = set().union(*(commands for _, commands in sections)) if sections else set()
        for span in CODE_SPAN.findall("\n".join(prose)):
            words = tokens(span)
            for called in invocations(words):
                problems.extend(check_invocation(called))
            flag = words[0].split("=")[0] if words else ""
            known = [*scope, GLOBAL]
            if (
                scope
                and re.fullmatch(r"--[a-z][a-z0-9-]*", flag)
                and not any(flag_in_help(flag, command) for command in known)
            ):
                problems.append(f"`{flag}` under a heading for {sorted(scope)}: no such flag")
        prose.clear()

    logical = ""
    for line in markdown.splitlines():
        if FENCE.match(line.strip()):
            fenced = not fenced
            if fenced:
                check_prose()
            continue
        if fenced:
            logical += line.rstrip("\\") + " " if line.endswith("\\") else line
            if not line.endswith("\\"):
                for called in invocations(tokens(logical)):
                    problems.extend(check_invocation(called))
                logical = ""
            continue
        heading = HEADING.match(line)
        if heading:
            check_prose()
            level = len(heading.group(1))
            sections = [(lv, c) for lv, c in sections if lv < level]
            sections.append((level, heading_commands(heading.group(2))))
            prose.append(heading.group(2))
            continue
        prose.append(line)
    check_prose()
    return problems


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_command_and_flag_named_exists(page: Path) -> None:
    assert problems_in(page.read_text(encoding="utf-8")) == []


def test_an_invented_command_or_flag_is_caught() -> None:
    """The check itself: each kind of mistake, in each place a page can make it."""
    page = """# Title
Run `assistant ask --answer extractive "Q"` or `assistant ask --invented-flag "Q"`.

```sh
assistant --data-dir /tmp/x status --json && assistant ingest docs --made-up
python -m assistant search "q" --k 3 --nope   # a comment --not-a-flag
assistant frobnicate
```

## `assistant search "QUERY"`
Flags: `--mode hybrid`, `--json`, `--colour`.

## Another heading
`--colour` here belongs to no command.
"""
    assert problems_in(page) == [
        "`assistant ask --invented-flag`: not in `assistant ask --help`",
        "`assistant ingest --made-up`: not in `assistant ingest --help`",
        "`assistant search --nope`: not in `assistant search --help`",
        "`assistant frobnicate`: no such command",
        "`--colour` under a heading for ['search']: no such flag",
    ]


def test_the_docs_index_lists_every_page_and_the_readme_links_it() -> None:
    index = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    for page in PAGES[1:]:
        if page.name != "index.md":
            assert f"]({page.name})" in index, f"docs/index.md does not list {page.name}"
    assert "](docs/index.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_relative_link_points_at_a_file() -> None:
    for page in PAGES:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text("utf-8")):
            if "://" not in target:
                assert (page.parent / target).exists(), f"{page.name} links to {target}"


def test_ci_runs_the_readme_test_command() -> None:
    """Each step of the README's test command is a line of .ci/run (which may add quiet
    flags and installs Tesseract with or without sudo), in the same order."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [command] = [b for b in re.findall(r"```sh\n(.*?)\n```", readme, re.S) if "pytest" in b]
    ci = [
        " ".join(w for w in line.split() if w not in ("--quiet", "-qq"))
        for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    position = 0
    for step in command.split(" && "):
        step = step.replace("sudo ", "$SUDO ")
        found = [n for n, line in enumerate(ci) if n >= position and line.startswith(step)]
        assert found, f".ci/run lacks the README's step {step!r} (after line {position})"
        position = found[0]
