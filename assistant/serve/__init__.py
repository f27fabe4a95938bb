"""`assistant serve`: one index, many clients. A versioned HTTP API, an OpenAI-compatible
chat endpoint and an MCP server (also over stdio, `assistant mcp`), a thin face over the
same core as the CLI and the TUI, optionally with the watcher in the same process.

FastAPI, uvicorn and the MCP SDK load only for these commands (the `serve` extra).
"""
