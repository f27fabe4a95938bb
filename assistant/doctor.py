"""`assistant doctor`: every check that decides whether this machine can answer, privately.

Each check returns pass or fail with the fix in one line, so a user on an air-gapped
machine (with nobody to ask) can get from a failing install to a working one alone.
The core knows nothing of the CLI: `run_checks` returns data, the CLI prints it.
"""

from __future__ import annotations

import logging
import os
import shutil
import stat
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

from assistant.settings import Settings
from ingest.words import plural

log = logging.getLogger(__name__)

# An ingest of a few thousand pages takes tens of MB; a model download is never needed.
# Under this, Chroma's and SQLite's writes start failing in ways that look like corruption.
MIN_FREE_BYTES = 1 << 30


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class _Context:
    """What later checks reuse from earlier ones: the model is loaded once, not per check."""

    def __init__(self, settings: Settings, say: Callable[[str], None]) -> None:
        self.settings = settings
        self.say = say  # a line while a check waits (for the index's owner)
        self.embedder: Any = None


CheckFn = Callable[[_Context], Check]


def run_checks(settings: Settings) -> list[Check]:
    return list(iter_checks(settings))


def iter_checks(settings: Settings, say: Callable[[str], None] = log.warning) -> Iterator[Check]:
    """All checks, in an order where each can lean on the ones before it, each as soon
    as it is done (the first run makes the int8 model: the lines before it show).

    A check that raises becomes a failed check carrying the error's own message: a
    doctor that crashes on the very fault it should report is no use.
    """
    context = _Context(settings, say)
    for name, fn in _CHECKS:
        try:
            outcome = fn(context)
            results = [outcome] if isinstance(outcome, Check) else list(outcome)
        except Exception as exc:  # each failure is reported, never raised
            log.debug("check %s raised", name, exc_info=True)
            results = [Check(name, False, _one_line(exc), _fix_for(exc))]
        yield from results


def all_passed(checks: list[Check]) -> bool:
    return all(c.ok for c in checks)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _fix_for(exc: BaseException) -> str:
    """User errors already say what to do; anything else gets the generic next step."""
    from ingest.errors import UserError

    if isinstance(exc, UserError):
        return "see the message"
    return "run with --debug for the traceback"


def check_offline_flags(_: _Context) -> Check:
    """The flags only work if set before the libraries import; a stale import is caught
    by reading the library's own constant, not just the environment."""
    import sys

    from ingest.offline import OFFLINE_ENV

    wrong = [k for k, v in OFFLINE_ENV.items() if os.environ.get(k) != v]
    hub = sys.modules.get("huggingface_hub.constants")
    if hub is not None and not getattr(hub, "HF_HUB_OFFLINE", True):
        wrong.append("huggingface_hub imported before HF_HUB_OFFLINE was set")
    if wrong:
        return Check(
            "offline flags",
            False,
            "not set: " + ", ".join(wrong),
            "import assistant (it calls ingest.offline.force_offline) before any Hugging Face "
            "library, and do not override these variables",
        )
    return Check("offline flags", True, "HF_HUB_OFFLINE, TRANSFORMERS_OFFLINE and friends on")


def check_telemetry(_: _Context) -> Check:
    from ingest.store.vectors import chroma_settings

    chroma = chroma_settings()
    problems = []
    if chroma.anonymized_telemetry:
        problems.append("Chroma anonymized_telemetry is on")
    if os.environ.get("HF_HUB_DISABLE_TELEMETRY") != "1":
        problems.append("HF_HUB_DISABLE_TELEMETRY is not 1")
    if problems:
        return Check(
            "telemetry", False, "; ".join(problems), "unset the variables that turn it back on"
        )
    return Check("telemetry", True, "off (Chroma, Hugging Face)")


def _endpoint_check(label: str, url: str | None) -> CheckFn:
    def check(context: _Context) -> Check:
        from assistant.egress import check_endpoint

        name = f"endpoint {label}"
        if not url:
            return Check(name, True, "not configured")
        check_endpoint(url, context.settings.allowed_hosts)
        return Check(name, True, f"{url} passes the egress policy")

    return check


def check_endpoints(context: _Context) -> Iterator[Check]:
    """Every endpoint a backend would talk to, then the Chroma server's."""
    from assistant.models import backend_names, backend_plugin

    settings = context.settings
    endpoints: dict[str, str | None] = {}
    for name in backend_names():
        endpoints.update(backend_plugin(name).endpoints(settings))
    endpoints["chroma_url"] = settings.chroma_url
    for label, url in endpoints.items():
        try:
            yield _endpoint_check(label, url)(context)
        except Exception as exc:
            yield Check(
                f"endpoint {label}",
                False,
                _one_line(exc),
                f"point {label} at this machine, or add the host to allowed_hosts if it is yours",
            )


def check_data_dir(context: _Context) -> Check:
    """0700 on the folder and nothing readable by group or others anywhere below it."""
    data_dir = context.settings.data_dir
    name = "data dir permissions"
    if not data_dir.exists():
        return Check(name, True, f"{data_dir} not created yet (it will be made 0700)")
    loose: list[str] = []
    for path in [data_dir, *data_dir.rglob("*")]:
        mode = path.lstat().st_mode
        if stat.S_IMODE(mode) & 0o077:
            loose.append(f"{path} {stat.S_IMODE(mode):o}")
    if loose:
        more = f" and {len(loose) - 3} more" if len(loose) > 3 else ""
        return Check(
            name,
            False,
            "readable by others: " + ", ".join(loose[:3]) + more,
            f"chmod -R go-rwx {data_dir}",
        )
    return Check(name, True, f"{data_dir} is 0700, its files private to you")


def check_free_disk(context: _Context) -> Check:
    path = context.settings.data_dir
    while not path.exists() and path != path.parent:
        path = path.parent
    free = shutil.disk_usage(path).free
    detail = f"{free / 1e9:.1f} GB free at {path}"
    if free < MIN_FREE_BYTES:
        return Check(
            "free disk", False, detail, "free at least 1 GB, or move the index with --data-dir"
        )
    return Check("free disk", True, detail)


def check_embedding_model(context: _Context) -> Check:
    """Loads the model for real (flags on, no network): a present-but-broken folder fails."""
    from assistant import library

    with library.existing_index(context.settings) as index:
        embedder = library.embedder_for(context.settings, index)
    vector = embedder.embed(["doctor"])[0]
    context.embedder = embedder
    return Check(
        "embedding model",
        True,
        f"{embedder.name} loads offline from {embedder.path} ({len(vector)} dimensions)",
    )


def check_device(context: _Context) -> Check:
    """Says what really embeds: the embedding-model check has loaded it by now, so a
    fallback from int8 ONNX to torch shows here with its reason."""
    from assistant import library
    from ingest.embed import pick_device

    requested = context.settings.device
    if requested and requested != "cpu":
        found = pick_device(None)
        if found != requested:
            return Check(
                "device",
                False,
                f"{requested} was asked for, but only {found} is available",
                "remove the device setting, or install the drivers and a matching torch",
            )
    embedder = context.embedder or library.embedder_for(context.settings)
    plan = embedder.plan()
    runtime = "onnxruntime" if plan.backend == "onnx-int8" else "sentence-transformers on torch"
    detail = f"{plan.device}, {plan.precision} ({runtime})"
    if plan.device == "cpu" and not requested:
        detail += "; no CUDA or Apple MPS found"
    if plan.note:
        detail += f"; {plan.note}"
    return Check("device", True, detail)


def check_index(context: _Context) -> Check:
    """Counts the vectors too: with a Chroma server this is the check that it answers;
    the embedded store is opened in a child process (or counted by its owner), so a
    store that crashes the vector library is reported, not suffered."""
    from assistant import library
    from ingest.store import catalog_exists

    settings = context.settings
    if not catalog_exists(settings.data_dir):
        return Check(
            "index",
            True,
            f"nothing indexed yet in {settings.data_dir}: "
            "`assistant ingest PATH` on a folder of your documents starts it",
        )
    if not settings.chroma_url:
        return _check_embedded_index(context)
    index = library.open_index(settings, must_exist=True)
    try:
        counts = index.catalog.counts()
        vectors = index.vectors.count()
        recorded = index.model
        if context.embedder is not None and recorded is not None:
            index.check_model(context.embedder.name, context.embedder.dimension)
        where = settings.chroma_url or str(settings.data_dir)
        detail = (
            f"{plural(counts['files'], 'file')}, {plural(counts['chunks'], 'chunk')}, "
            f"{plural(vectors, 'vector')} at {where}"
            + (f"; built with {recorded[0]}" if recorded else "")
        )
        if vectors != counts["chunks"]:
            return Check(
                "index",
                False,
                detail + ": vectors and catalog disagree",
                "run `assistant ingest` on your folders again: the writer reconciles them",
            )
        return Check("index", True, detail)
    finally:
        index.close()


def _check_embedded_index(context: _Context) -> Check:
    from assistant import library
    from assistant.owner.route import reach
    from ingest.store.probe import probe_store

    settings = context.settings
    with library.existing_index(settings) as index:
        assert index is not None
        counts = index.catalog.counts()
        recorded = index.model
        if context.embedder is not None and recorded is not None:
            index.check_model(context.embedder.name, context.embedder.dimension)
    with reach(settings, "doctor", context.say) as found:
        if found is not None:
            vectors: int | None = int(found.call("vectors", {}))
            problem = ""
        else:
            probe = probe_store(settings.data_dir)
            vectors, problem = probe.vectors, probe.detail
    detail = f"{plural(counts['files'], 'file')}, {plural(counts['chunks'], 'chunk')}"
    if problem:
        return Check(
            "index",
            False,
            f"{detail}; the vector store does not open: {problem}",
            "run `assistant repair`: it rebuilds the vectors from the catalog (nothing is lost)",
        )
    detail += f", {vectors} vectors at {settings.data_dir}" + (
        f"; built with {recorded[0]}" if recorded else ""
    )
    if vectors != counts["chunks"]:
        return Check(
            "index",
            False,
            detail + ": vectors and catalog disagree",
            "run `assistant repair`: it rebuilds the vectors from the catalog (nothing is lost)",
        )
    return Check("index", True, detail)


def check_backend(context: _Context) -> Check:
    """For `auto`, says which backend would answer and why, since that is what users ask."""
    from assistant import library
    from assistant.models import backend_plugin, choose_backend
    from assistant.models.ways import auto_has_no_model

    settings = context.settings
    if settings.answer_mode == "extractive":
        return Check("backend", True, "none needed: answer_mode = extractive quotes the documents")
    missing = auto_has_no_model(settings)
    if missing:
        detail = f"auto: no model on this install, so answers quote the documents ({missing})"
        return Check("backend", True, detail)
    chosen = choose_backend(settings)
    how = f"auto chose {chosen.name} ({chosen.reason})" if chosen.reason else chosen.name
    backend = library.open_backend(settings)
    backend.check()
    where = backend_plugin(chosen.name).location(settings)
    return Check("backend", True, f"{how}: model {backend.model} answers {where}")


def check_ways_of_answering(context: _Context) -> Iterator[Check]:
    """Every way this install can answer, and how to get the others: informational, so
    each passes; `backend` above says which one answers now."""
    from assistant.models.ways import installed_ways, server_ways

    for way in installed_ways(context.settings) + server_ways(context.settings):
        detail = ("here: " if way.here else "not here: ") + way.detail
        yield Check(f"answer by {way.name}", True, detail + (f"; {way.how}" if way.how else ""))


def check_ocr(context: _Context) -> Check:
    """Tesseract and the configured languages, run for real (`--list-langs`)."""
    from ingest.ocr import OcrOptions, OcrUnavailable, check_available, tesseract_version

    settings = context.settings
    if not settings.ocr:
        return Check("ocr", True, "off (ocr = false): scanned pages and images are not read")
    try:
        program = check_available(OcrOptions(languages=settings.ocr_languages))
    except OcrUnavailable as exc:
        return Check("ocr", False, str(exc), "install it as it says, or set ocr = false")
    limit = f", at most {settings.ocr_max_pages} pages a file" if settings.ocr_max_pages else ""
    detail = f"{tesseract_version(program)} ({settings.ocr_languages}){limit}"
    return Check("ocr", True, detail)


# The optional format libraries (the `formats` extra), by the formats they read.
_FORMAT_LIBRARIES = {
    "ebooklib": "EPUB",
    "pptx": "PowerPoint",
    "openpyxl": "Excel",
    "odf": "OpenDocument",
    "extract_msg": "Outlook .msg",
}


def check_formats(_: _Context) -> Check:
    """Which optional readers can run; a missing one fails only its own files, so this
    passes either way and says what to install."""
    import importlib.util

    missing = [
        kind for module, kind in _FORMAT_LIBRARIES.items() if not importlib.util.find_spec(module)
    ]
    if not missing:
        return Check(
            "formats",
            True,
            "every reader installed (" + ", ".join(_FORMAT_LIBRARIES.values()) + ")",
        )
    return Check(
        "formats",
        True,
        f"not installed: {', '.join(missing)} (those files fail until "
        "`pip install 'local-doc-assistant[formats]'`)",
    )


_CHECKS: list[tuple[str, Callable[[_Context], Any]]] = [
    ("offline flags", check_offline_flags),
    ("telemetry", check_telemetry),
    ("endpoints", check_endpoints),
    ("data dir permissions", check_data_dir),
    ("free disk", check_free_disk),
    ("embedding model", check_embedding_model),
    ("device", check_device),
    ("index", check_index),
    ("backend", check_backend),
    ("ways of answering", check_ways_of_answering),
    ("ocr", check_ocr),
    ("formats", check_formats),
]
