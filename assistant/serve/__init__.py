"""`assistant serve`: one index, many clients. A versioned HTTP API, an OpenAI-compatible
chat endpoint and an MCP server (also over stdio, `assistant mcp`), a thin face over the
same core as the CLI and the TUI, optionally with the watcher in the same process.

FastAPI, uvicorn and the MCP SDK load only for these commands (the `serve` extra), so this
module imports none of them: it only says, in one line, how to install them.
"""

from __future__ import annotations

import importlib

from assistant.errors import ConfigError

# What each command imports from the `serve` extra.
NEEDS = {"serve": ("fastapi", "uvicorn", "mcp"), "mcp": ("mcp",)}


class ServeExtraMissing(ConfigError):
    """The quick start's install has no `serve` extra: say what to install, not a traceback."""


def require_serve_extra(command: str) -> None:
    for module in NEEDS[command]:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise ServeExtraMissing(
                f"`assistant {command}` needs the serve extra ({exc.name or module} is not "
                "installed): pip install 'local-doc-assistant[serve]', or from the source "
                "folder: pip install -e '.[serve]'"
            ) from exc
