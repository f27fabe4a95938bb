"""The `assistant` entry point: a one-shot `search` that a running owner answers is done
before anything heavy loads (`assistant.quick`); everything else runs the Typer app
(`assistant.commands`).

Errors a user can meet print one line and exit with their documented code; a traceback
appears only with --debug.
"""

from __future__ import annotations

import sys

from assistant import quick
from ingest.errors import UserError
from ingest.pathnames import shown


def main(argv: list[str] | None = None) -> None:
    """The console script: run the command, turning user errors into one line and an exit
    code."""
    try:
        if quick.answered(sys.argv[1:] if argv is None else argv):
            return
        from assistant.commands import app

        # Outside standalone mode click returns a command's `typer.Exit(n)` code instead
        # of exiting with it, so a non-zero one would otherwise be lost.
        code = app(args=argv, prog_name="assistant", standalone_mode=False)
        if code == 130:  # typer turns Ctrl-C inside a command into Exit(130), silently
            quick.err("interrupted")
        if isinstance(code, int) and code != 0:
            sys.exit(code)
    except UserError as exc:
        if _debugging():
            raise
        quick.err(f"error: {shown(str(exc))}")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        quick.err("interrupted")
        sys.exit(130)
    except Exception as exc:  # typer's exits, click usage errors and the like
        _end_on(exc)
        raise


def _debugging() -> bool:
    """--debug was given (the Typer app read it; the quick search never runs with it)."""
    commands = sys.modules.get("assistant.commands")
    return commands is not None and bool(commands._state.get("debug"))


def _end_on(exc: Exception) -> None:
    """Exit as typer and click mean their exceptions to end the program; return for any
    other exception (a bug: its traceback is shown)."""
    import click
    import typer

    if isinstance(exc, typer.Exit | click.exceptions.Exit):
        sys.exit(exc.exit_code)
    if isinstance(exc, typer.Abort | click.exceptions.Abort):
        quick.err("aborted")
        sys.exit(130)
    if isinstance(exc, _usage_errors()):
        exc.show()  # type: ignore[attr-defined]
        sys.exit(exc.exit_code)  # type: ignore[attr-defined]


def _usage_errors() -> tuple[type[Exception], ...]:
    """Click's usage errors; Typer >= 0.20 raises those of its own vendored copy
    (`typer._click`), which are not click's, so a missing argument became a traceback."""
    import click

    errors: tuple[type[Exception], ...] = (click.ClickException,)
    try:
        from typer._click.exceptions import ClickException as VendoredClickException
    except ImportError:
        return errors
    return (*errors, VendoredClickException)


if __name__ == "__main__":
    main()
