"""Measuring the assistant: retrieval on BEIR-layout data (`beir`, `beir_run`: `assistant
eval`) and answers on question files (`qa`, `qa_run`: `assistant eval-qa`). The pure
measures and loaders live apart from the runs that index and ask, so they test on hand-made data."""
