"""The command line's commands (Typer): argument parsing and printing only; the work
happens in the core. `assistant.cli.main` runs them (after `assistant.quick` had its
chance at a one-shot `search` a running owner answers), turning errors into lines.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from assistant import quick
from assistant.errors import SOME_FILES_FAILED, UsageError
from assistant.models import AUTO, backend_names
from assistant.quick import echo, emit_json, err, print_search
from assistant.settings import Settings, load_settings
from ingest.errors import IndexBusy
from ingest.pathnames import shown
from ingest.words import plural

app = typer.Typer(
    name="assistant",
    help="A private, local document assistant: index your folders, ask questions, get "
    "answers with citations from a model on this machine. Nothing leaves the machine.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_state: dict[str, Any] = {}


def settings(**flags: Any) -> Settings:
    """The settings for this run: defaults < config file < environment < global flags <
    the command's own flags."""
    base: Settings = _state["settings"]
    return base.replace(**flags)


@app.callback(invoke_without_command=True)
def main_options(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            envvar="ASSISTANT_DATA_DIR",
            help="Where the index lives.",
            show_default="the platform's user data dir",
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", envvar="ASSISTANT_CONFIG", help="A TOML settings file."),
    ] = None,
    chroma_url: Annotated[
        str | None,
        typer.Option(
            "--chroma-url",
            help="Keep the vectors in this Chroma server (a team index); it must pass the "
            "egress policy. The catalog stays in the data dir.",
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Tracebacks and debug logs.")] = False,
) -> None:
    _state["debug"] = debug
    quick.set_up_logging(ctx.invoked_subcommand, debug)
    _state["settings"] = load_settings(config_file=config, data_dir=data_dir, chroma_url=chroma_url)
    if ctx.invoked_subcommand == "ask":
        _describe_ways_of_answering(ctx, _state["settings"])
    if ctx.invoked_subcommand is None:
        if sys.stdin.isatty() and sys.stdout.isatty() and "chat" in _commands():
            ctx.invoke(_commands()["chat"])
        else:
            typer.echo(ctx.get_help())


def _describe_ways_of_answering(ctx: typer.Context, cfg: Settings) -> None:
    """`ask --help` ends with the ways this install can answer (quotes, the embedded
    model) and how to get the others: known only once the settings are, so set here, in
    the callback click runs before it parses the command's own options."""
    from rich.markup import escape

    from assistant.models.ways import help_text

    command = getattr(ctx.command, "commands", {}).get("ask")
    if command is not None:
        command.epilog = escape(help_text(cfg)).replace("\n", "\n\n")


def _commands() -> dict[str, Any]:
    return {c.name or c.callback.__name__: c.callback for c in app.registered_commands}


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Folders or files to index.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only failures.")] = False,
    device: Annotated[str | None, typer.Option(help="cuda, mps or cpu.")] = None,
    embedding_model: Annotated[
        str | None, typer.Option(help="A local sentence-transformers model folder.")
    ] = None,
) -> None:
    """Index folders of documents (only what changed since the last run).

    Exits 0 when every file was indexed, 8 when some could not be read (each named on
    stderr; `assistant status` lists them)."""
    from assistant import library
    from assistant.owner import oneshot
    from assistant.progress import LinePrinter, ProgressBar

    cfg = settings(device=device, embedding_model=embedding_model)
    interactive = sys.stderr.isatty() and not as_json and not quiet
    listener: LinePrinter = ProgressBar() if interactive else LinePrinter(quiet or as_json)
    try:
        if isinstance(listener, ProgressBar):
            with listener.progress:
                report = oneshot.ingest(cfg, err, paths, listener)
        else:
            report = oneshot.ingest(cfg, err, paths, listener)
    except IndexBusy as exc:
        if library.watcher_covers(cfg, exc, paths):
            err(
                f"the watcher (process {exc.pid}) is indexing {shown(', '.join(exc.folders))}: "
                "it picks up these changes itself"
            )
            raise typer.Exit(0) from None
        raise
    if as_json:
        emit_json(report.as_dict())
    else:
        typer.echo(
            f"{report.added} added, {report.updated} updated, {report.moved} moved, "
            f"{report.removed} removed, {report.unchanged} unchanged, "
            f"{len(report.failed)} failed; {plural(report.chunks_embedded, 'chunk')} embedded "
            f"in {report.seconds:.1f} s"
        )
    if report.failed:
        raise typer.Exit(SOME_FILES_FAILED)


@app.command()
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """What is indexed: folders, files, chunks, failures, model, size, watcher."""
    from assistant.owner import oneshot

    info = oneshot.status(settings(), err)
    if as_json:
        emit_json(info.as_dict())
        return
    echo(f"data dir:        {shown(info.data_dir)}")
    echo(f"folders:         {shown(', '.join(info.folders)) or '(none)'}")
    empty = f", {info.empty} empty (skipped)" if info.empty else ""
    echo(f"files:           {info.files} indexed, {len(info.failed)} failed{empty}")
    if info.engines:
        engines = ", ".join(f"{name} {count}" for name, count in info.engines.items())
        echo(f"read by:         {engines}")
    echo(f"chunks:          {info.chunks}")
    echo(
        f"embedding model: {info.embedding_model} on {info.device}, "
        f"{info.precision} ({info.embedding_backend})"
    )
    if info.embedding_note:
        echo(f"                 {info.embedding_note}")
    echo(f"index size:      {info.index_bytes / 1e6:.1f} MB")
    if info.last_change:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(info.last_change))
        echo(f"last change:     {when}")
    watcher = info.watcher
    if watcher:
        echo(
            f"watcher:         running (pid {watcher.pid}) on "
            f"{', '.join(watcher.folders)}; {watcher.pending} pending"
        )
    else:
        echo("watcher:         not running")
    for failure in info.failed:
        echo(shown(f"  {failure.path}: failed: {failure.reason}"))


@app.command()
def forget(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to drop from the index.")],
) -> None:
    """Remove files or whole folders from the index (the files on disk are untouched).

    A later `ingest` of their folder (or the watcher) indexes them again: to keep a file
    out for good, list it in the `ignore` setting or in an .assistantignore file."""
    from assistant.owner import oneshot

    removed = oneshot.forget(settings(), err, paths)
    typer.echo(f"{plural(len(removed), 'file')} removed from the index")
    if any(Path(p).exists() for p in removed):
        err(
            "note: a later `assistant ingest` of their folder indexes them again; to keep "
            "them out for good, add them to `ignore` in the config file or to an "
            ".assistantignore file in their folder"
        )


@app.command()
def watch(
    paths: Annotated[list[Path], typer.Argument(help="Folders or files to keep indexed.")],
    poll: Annotated[
        bool, typer.Option("--poll", help="Poll instead of OS events (network drives).")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only failures.")] = False,
    debounce: Annotated[
        float | None, typer.Option(help="Seconds of quiet before a batch is indexed.")
    ] = None,
    device: Annotated[str | None, typer.Option(help="cuda, mps or cpu.")] = None,
) -> None:
    """Catch up, then keep the index current as files come, change, move and go."""
    from assistant import library
    from assistant.owner.route import answering, owning
    from assistant.progress import WatchPrinter
    from assistant.serve.service import Service
    from ingest.watch import run_until_signalled

    cfg = settings(debounce_seconds=debounce, device=device)
    service = Service(cfg, purpose="watch")  # answers the other commands while it watches
    with (
        owning(cfg, "watch", err),
        library.watching(cfg, paths, WatchPrinter(quiet), poll=poll) as watcher,
        answering(service) as server,
    ):
        service.adopt(watcher)
        service.warm_up()  # the model and the store, before the first question
        if not quiet:
            err(f"watching {shown(', '.join(watcher.folders))} (Ctrl-C to stop)")
        done = run_until_signalled(watcher, STOP_GRACE)
        # An ingest another command asked of this watcher stops at its next file; one
        # still inside an embedding call when the grace is over (or holding up the
        # watcher's batch) is answered that the owner stopped, and left like a batch.
        left = STOP_GRACE - (time.monotonic() - (watcher.stop_asked or time.monotonic()))
        if server is not None and not server.stop(grace=max(left, 0.0) if done else 0.0):
            done = False
        if not done:
            # Stuck in an embedding call: end now; the next start's reconcile drops
            # whatever the interrupted batch half wrote.
            err("stopped mid-batch; the next start catches up")
            _exit_now()
    if not quiet:
        err("stopped")
    # Stopped by a signal, everything committed, the index closed and the lock released.
    # What is left, the interpreter's teardown (collecting the model, torch and Chroma's
    # bindings), took 1 to 11 s under load: past the 5 s a stop promises, for nothing.
    _exit_now()


# Seconds from Ctrl-C (or SIGTERM) until `watch` ends even mid-batch: it promises 5.
STOP_GRACE = 4.0


def _exit_now() -> None:
    """End the process with status 0 at once, without the interpreter's teardown."""
    import os

    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


InOption = Annotated[
    str | None,
    typer.Option("--in", help="Only this folder or file, or a glob such as '*.pdf'."),
]
TypeOption = Annotated[
    list[str] | None, typer.Option("--type", help="Only these file types (pdf, md...).")
]
KOption = Annotated[int | None, typer.Option("--k", help="How many passages.")]
BackendOption = Annotated[
    str | None, typer.Option(help=f"{AUTO} (the default) or one of: {', '.join(backend_names())}.")
]
ModelOption = Annotated[str | None, typer.Option(help="The model name on the server.")]
ModelPathOption = Annotated[
    str | None, typer.Option(help="A model file (GGUF) for a backend that loads one itself.")
]


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for.")],
    k: KOption = None,
    within: InOption = None,
    types: TypeOption = None,
    mode: Annotated[str, typer.Option(help="hybrid, vector or keyword.")] = "hybrid",
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Find passages, no model: ranked passages with file, page and rank score.

    The rank score is what ordered them: reciprocal rank fusion of the vector and keyword
    rankings (the sum of 1/(60 + rank) over the rankings that found the passage; higher
    ranks first, at most about 0.033). --json also gives each passage's `score`, its cosine
    similarity to the query, which need not fall in rank order."""
    from assistant.owner import oneshot
    from assistant.retrieve import MODES

    if mode not in MODES:
        raise typer.BadParameter(f"use one of {', '.join(MODES)}", param_hint="--mode")
    print_search(oneshot.search(settings(k=k), err, query, within, types or (), mode), as_json)


AnswerOption = Annotated[
    str | None,
    typer.Option(
        "--answer",
        help="extractive (quote the documents, no model), generative (the model writes, "
        "every statement checked) or auto (extractive for a model too small to write well).",
    ),
]


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="Your question.")],
    backend: BackendOption = None,
    model: ModelOption = None,
    model_path: ModelPathOption = None,
    answer_mode: AnswerOption = None,
    k: KOption = None,
    within: InOption = None,
    types: TypeOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Answer a question from your documents, every statement checked and cited."""
    if not question.strip():
        raise UsageError('give a question: assistant ask "When does the lease end?"')
    flags = {"backend": backend, "model": model, "model_path": model_path}
    flags = {k: v for k, v in {**flags, "answer_mode": answer_mode}.items() if v is not None}
    quick.ask(settings(k=k), question, flags, within, types or (), as_json)


@app.command()
def summarize(
    path: Annotated[Path, typer.Argument(help="An indexed file to summarise.")],
    backend: BackendOption = None,
    model: ModelOption = None,
    model_path: ModelPathOption = None,
    answer_mode: AnswerOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Summarise a whole file section by section, every sentence cited to its page."""
    from assistant.owner import oneshot

    flags = {"backend": backend, "model": model, "model_path": model_path}
    flags = {k: v for k, v in {**flags, "answer_mode": answer_mode}.items() if v is not None}

    def started(chosen: tuple[str, str] | None) -> None:
        if not as_json:
            err(
                f"summarising with {chosen[0]} ({chosen[1]}); every sentence is checked"
                if chosen is not None
                else "summarising with key sentences quoted from the file (extractive: no model)"
            )

    data, text = oneshot.summarize(settings(), err, path, flags, started)
    if as_json:
        emit_json(data)
        return
    echo(text)


@app.command()
def doctor(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Check this install: model, device, index, backend, endpoints, privacy, disk."""
    from assistant.doctor import all_passed, iter_checks

    checks = []
    for check in iter_checks(settings(), err):  # each line as soon as its check is done
        checks.append(check)
        if not as_json:
            typer.echo(shown(f"{'ok  ' if check.ok else 'FAIL'}  {check.name}: {check.detail}"))
            if not check.ok and check.fix:
                typer.echo(f"      fix: {check.fix}")
    if as_json:
        emit_json({"checks": [c.as_dict() for c in checks]})
    raise typer.Exit(0 if all_passed(checks) else 1)


@app.command()
def repair() -> None:
    """Rebuild the vectors from the catalog's own text when the vector store is damaged
    or incomplete (`doctor` says when): no file is read again, nothing is lost."""
    from assistant import library
    from assistant.owner.route import owning

    cfg = settings()
    interactive = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if interactive:
            sys.stderr.write(f"\rre-embedding {done}/{total} chunks")
            sys.stderr.flush()

    with owning(cfg, "repair", err):
        err(f"rebuilding the vectors in {cfg.data_dir} from the catalog's text")
        repaired = library.repair(cfg, progress)
    if interactive:
        sys.stderr.write("\r\033[K")
    typer.echo(
        f"{plural(repaired.chunks, 'chunk')} re-embedded in {repaired.seconds:.1f} s; "
        "the index is whole"
    )


@app.command()
def chat(
    backend: BackendOption = None,
    model: ModelOption = None,
    model_path: ModelPathOption = None,
    answer_mode: AnswerOption = None,
    k: KOption = None,
    rewrite: Annotated[
        str | None,
        typer.Option(help="How follow-ups become search queries: auto, rule or model."),
    ] = None,
) -> None:
    """Chat with your documents in a terminal UI (also what bare `assistant` opens)."""
    from assistant.conversation import REWRITE_MODES

    cfg = settings(
        backend=backend,
        model=model,
        model_path=model_path,
        answer_mode=answer_mode,
        k=k,
        rewrite=rewrite,
    )
    if cfg.rewrite not in REWRITE_MODES:
        raise typer.BadParameter(f"use one of {', '.join(REWRITE_MODES)}", param_hint="--rewrite")
    from assistant.tui import run  # Textual loads only for this command

    run(cfg, rewrite=cfg.rewrite)


@app.command()
def serve(
    host: Annotated[
        str, typer.Option(help="The address to listen on; anything but loopback needs a token.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="The port to listen on.")] = 8765,
    watch: Annotated[
        list[Path] | None,
        typer.Option("--watch", help="Keep this folder indexed while serving (repeatable)."),
    ] = None,
    folder: Annotated[
        list[Path] | None,
        typer.Option("--folder", help="A folder clients may ingest and forget under (repeatable)."),
    ] = None,
    token_file: Annotated[
        Path | None,
        typer.Option(help="The bearer token clients must send (generated there if missing)."),
    ] = None,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option("--cors-origin", help="A web origin allowed to call (repeatable)."),
    ] = None,
    max_body_kb: Annotated[int, typer.Option(help="The largest request body accepted.")] = 1024,
    poll: Annotated[bool, typer.Option("--poll", help="Watch by polling (network drives).")] = (
        False
    ),
    backend: BackendOption = None,
    model: ModelOption = None,
    model_path: ModelPathOption = None,
) -> None:
    """Serve the index to other tools: an HTTP API (/v1), an OpenAI-compatible chat
    endpoint (/v1/chat/completions) and MCP (/mcp), optionally watching folders."""
    from assistant.serve import require_serve_extra

    require_serve_extra("serve")
    from assistant.serve.app import ServeOptions
    from assistant.serve.app import serve as run_server
    from assistant.serve.security import load_token
    from assistant.serve.service import Service

    cfg = settings(backend=backend, model=model, model_path=model_path)
    token = load_token(host, token_file, cfg.data_dir)
    options = ServeOptions(
        host=host,
        port=port,
        token=token.value if token else None,
        cors_origins=tuple(cors_origin or ()),
        max_body=max_body_kb * 1024,
        debug=bool(_state.get("debug")),
    )
    service = Service(cfg, folders=folder or [], watch=watch or [], poll=poll)
    where = f"http://{'[' + host + ']' if ':' in host else host}:{port}"
    err(f"serving {shown(str(cfg.data_dir))} at {where}/v1 (OpenAI: {where}/v1, MCP: {where}/mcp)")
    if token is not None and token.created:
        err(f"token (shown once, kept in {token.path}): {token.value}")
    elif token is not None:
        err(f"clients must send the token in {token.path}")
    if service.watched:
        err(f"watching {shown(', '.join(map(str, service.watched)))}")
    logging.getLogger("assistant.serve").setLevel(logging.INFO)
    run_server(service, options)


@app.command()
def mcp() -> None:
    """An MCP server over stdio for a local agent: search_documents, ask_documents,
    read_passage and index_status."""
    from assistant.serve import require_serve_extra

    require_serve_extra("mcp")
    from assistant.owner.client import find_owner
    from assistant.owner.remote import OwnerService
    from assistant.serve.mcp_tools import build_mcp
    from assistant.serve.service import Service

    cfg = settings()
    found = None if cfg.chroma_url else find_owner(cfg.data_dir)
    if found is not None:  # a watch, serve or chat owns the index: its tools ask it
        build_mcp(OwnerService(found), bool(_state.get("debug"))).run("stdio")
        return
    service = Service(cfg, purpose="mcp")
    service.start()  # owns the index, loads the embedding model before the first call
    try:
        build_mcp(service, bool(_state.get("debug"))).run("stdio")
    finally:
        service.stop()


@app.command(name="eval")
def evaluate(
    dataset_dir: Annotated[Path, typer.Argument(help="A BEIR-layout dataset folder.")],
    split: Annotated[str, typer.Option(help="The qrels split to score.")] = "test",
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Score retrieval on a BEIR dataset: nDCG@10, Recall@10/100, MRR@10 per mode."""
    from assistant.eval.beir_run import run_eval

    results = run_eval(settings(), dataset_dir, split, progress=None if as_json else err)
    if as_json:
        emit_json(results)
        return
    typer.echo(f"{'mode':<8} {'nDCG@10':>8} {'R@10':>8} {'R@100':>8} {'MRR@10':>8}")
    for mode, metrics in results.items():
        typer.echo(
            f"{mode:<8} {metrics['ndcg@10']:>8.4f} {metrics['recall@10']:>8.4f} "
            f"{metrics['recall@100']:>8.4f} {metrics['mrr@10']:>8.4f}"
        )


@app.command(name="eval-qa")
def evaluate_qa(
    questions_file: Annotated[
        Path,
        typer.Argument(help="A questions file (.jsonl, with --docs) or a SQuAD 2.0 JSON file."),
    ],
    docs: Annotated[
        Path | None,
        typer.Option("--docs", help="The folder of documents a .jsonl questions file asks of."),
    ] = None,
    sample: Annotated[
        int | None, typer.Option("--sample", help="Ask N questions drawn at random.")
    ] = None,
    seed: Annotated[int, typer.Option(help="The seed of the --sample draw.")] = 0,
    backend: BackendOption = None,
    model: ModelOption = None,
    model_path: ModelPathOption = None,
    answer_mode: AnswerOption = None,
    details: Annotated[
        Path | None, typer.Option(help="Write one JSON line per question to this file.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Score answers on your own questions about a folder (or on SQuAD 2.0): right, right and
    cited to the file (and page), wrongly declined, declined where it should, by kind."""
    from assistant import library
    from assistant.eval.qa_run import run_eval_qa

    if sample is not None and sample < 1:
        raise typer.BadParameter("must be at least 1", param_hint="--sample")
    cfg = settings(backend=backend, model=model, model_path=model_path, answer_mode=answer_mode)
    chosen = library.open_answerer(cfg)
    report = run_eval_qa(
        cfg,
        questions_file,
        chosen,
        docs=docs,
        sample=sample,
        seed=seed,
        progress=None if as_json else err,
        details=details,
    )
    if as_json:
        emit_json(report)
        return
    _print_qa_report(report)


def _print_qa_report(report: dict[str, Any]) -> None:
    def pct(key: str) -> str:
        value = report[key]
        return "n/a" if value is None else f"{value * 100:.1f}%"

    typer.echo(
        f"{plural(report['questions'], 'question')} ({report['answerable']} answerable, "
        f"{report['unanswerable']} unanswerable); answers: {report['answer_mode']}"
        + (f" by {report['backend']} ({report['model']})" if report["backend"] else "")
    )
    latency = f"{report['latency_ms_p50']:.0f} / {report['latency_ms_p95']:.0f} ms"
    first = f"{report['first_token_ms_p50']:.0f} / {report['first_token_ms_p95']:.0f} ms"
    rows = [
        ("answer contains a gold answer (of answerable)", pct("answer_contains_gold")),
        ("... and cites the file that answers", pct("right_cited_file")),
        ("... and its page (where the file gives one)", pct("right_page")),
        ("its first quote (or statement) holds it", pct("first_holds_gold")),
        ("a cited source holds it (of answered answerable)", pct("cited_source_holds_gold")),
        ("a retrieved passage holds it (of answerable)", pct("retrieved_holds_gold")),
        ("unanswerable questions abstained", pct("abstained_unanswerable")),
        ("answerable questions abstained", pct("abstained_answerable")),
        ("statements marked unsupported", pct("statements_unsupported")),
        ("answers replaced by the quoted evidence", pct("fallback_to_quote")),
        ("the model's draft held a gold answer (of answerable)", pct("draft_contains_gold")),
        ("answer length, median words (answered)", f"{report['answer_words_median']:g}"),
        ("latency p50 / p95", latency),
        ("first token (or quote) p50 / p95", first),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        typer.echo(f"  {name:<{width}}  {value}")
    kinds = report.get("by_kind") or {}
    if len(kinds) > 1:
        _print_kinds(kinds)


def _print_kinds(kinds: dict[str, dict[str, Any]]) -> None:
    def pct(value: float | None) -> str:
        return "" if value is None else f"{value * 100:.1f}%"

    width = max(len("kind"), *(len(k) for k in kinds))
    typer.echo(
        f"  {'kind':<{width}} {'asked':>6} {'right':>7} {'+cited':>7} {'+page':>7} "
        f"{'declined':>9} {'p50 ms':>7}"
    )
    for kind, row in kinds.items():
        typer.echo(
            f"  {kind:<{width}} {row['questions']:>6} {pct(row['right']):>7} "
            f"{pct(row['right_cited_file']):>7} {pct(row['right_page']):>7} "
            f"{pct(row['declined']):>9} {row['latency_ms_p50']:>7.0f}"
        )
