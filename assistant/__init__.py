"""The assistant: settings, retrieval, answering, model backends, and the CLI and TUI faces.

Importing it switches the Hugging Face libraries offline before any of them loads, so no
code path can reach the model hub (a hub lookup otherwise retries for about 70 s).
"""

from ingest.offline import force_offline

force_offline()
