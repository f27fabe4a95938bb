"""One owner per data dir: the process that holds the embedded vector store answers the
others over a Unix socket in the data dir (docs/owner.md).

`protocol` (the socket's path and its JSON lines), `server` (what an owner runs),
`client` (what a one-shot command asks with), `route` (ask the owner, wait for it, or
become it for one run).
"""
