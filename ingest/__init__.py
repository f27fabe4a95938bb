"""From folders on disk to a current, consistent index: readers, chunker, embedder, store, sync.

A library with no global settings: every function takes what it needs as arguments.
It never imports `assistant`, typer, rich or textual.
"""
