"""Platform commands of `ospec`: deploy, status, watch, artifacts, agents, webhooks, keys (edge).

Every command takes --json (one JSON document on stdout; progress and messages go to stderr),
--api-url and --allow-insecure-http; the token comes from OSPEC_API_TOKEN or a config file,
never from the command line, where other users could read it in the process list.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .api_terms import EVENTS, ROLES, SCOPES

if TYPE_CHECKING:
    from .sdk import Client, Project

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_AUTH, EXIT_API, EXIT_TIMEOUT = 0, 1, 2, 3, 4, 5
EXIT_INTERRUPTED = 130
EXIT_CODES = """\
exit codes:
  0  success (for deploy --wait and watch: the project reached `deployed`)
  1  the project `failed`, the spec has error findings, or a download would overwrite a file
  2  usage error, unreadable file, or invalid configuration
  3  authentication or permission error (no token, invalid/expired token, missing scope)
  4  API or network error (HTTP error, connection refused, timeouts, circuit breaker open)
  5  --timeout passed before the project finished
  130  interrupted (Ctrl-C)"""
ID_FILE = "ospec-project-id.txt"
Handler = Callable[[argparse.Namespace, "Client", TextIO, TextIO], int]


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    common.add_argument(
        "--api-url", metavar="URL", help="API root URL (default: OSPEC_API_URL, then config)"
    )
    common.add_argument(
        "--allow-insecure-http",
        action="store_true",
        default=None,
        help="allow a plain http:// URL on a non-loopback host",
    )

    def add(
        parent: Any, name: str, help_text: str, handler: Handler, aliases: tuple[str, ...] = ()
    ) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = parent.add_parser(
            name,
            aliases=list(aliases),
            parents=[common],
            help=help_text,
            description=help_text[0].upper() + help_text[1:] + ".",
            epilog=EXIT_CODES,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        p.set_defaults(run=lambda args: run(args, handler))
        return p

    p = add(
        sub,
        "deploy",
        "validate a spec locally, then create a project from it",
        _deploy,
        aliases=("create",),
    )
    p.add_argument("spec", metavar="SPEC", help="the OSpec file to deploy")
    p.add_argument("--wait", action="store_true", help="follow the project until it finishes")
    _wait_options(p)
    p.add_argument(
        "--idempotency-key",
        metavar="KEY",
        help="key for the create request (default: a new one per run; retries within a run "
        "reuse it). Give a stable key, e.g. the CI run id, so a re-run job returns the project "
        "it created the first time instead of creating another",
    )
    p.add_argument(
        "--id-file", default=ID_FILE, metavar="PATH", help="where to write the project id"
    )

    p = add(sub, "status", "show a project's status", _status)
    _project_arg(p)

    p = add(sub, "watch", "follow a project until it is deployed or failed", _watch)
    _project_arg(p)
    _wait_options(p)

    p = add(sub, "artifacts", "list a project's artifacts, or download them", _artifacts)
    _project_arg(p)
    p.add_argument("--download", metavar="DIR", help="download into this folder")
    p.add_argument(
        "--type", action="append", dest="types", metavar="TYPE", help="only this type (repeat)"
    )
    p.add_argument("--overwrite", action="store_true", help="replace existing files")

    agents = sub.add_parser("agents", help="assign agents to project roles, show agent status")
    actions = agents.add_subparsers(dest="agents_action", metavar="ACTION", required=True)
    p = add(actions, "assign", "assign an agent to a project role", _agents_assign)
    p.add_argument("project_id", metavar="PROJECT_ID")
    p.add_argument("role", choices=ROLES)
    p.add_argument("agent_id", metavar="AGENT_ID")
    p.add_argument("--capability", action="append", default=[], dest="capabilities", metavar="CAP")
    p.add_argument("--priority", choices=("low", "medium", "high", "critical"), default="medium")
    p = add(actions, "status", "show what an agent is doing", _agents_status)
    p.add_argument("agent_id", metavar="AGENT_ID")

    hooks = sub.add_parser("webhooks", help="register webhooks, inspect their deliveries")
    actions = hooks.add_subparsers(dest="webhooks_action", metavar="ACTION", required=True)
    p = add(actions, "add", "register a webhook", _webhooks_add)
    p.add_argument("url", metavar="URL")
    p.add_argument(
        "--event",
        action="append",
        dest="events",
        choices=EVENTS,
        metavar="EVENT",
        help=f"event to receive (repeat; default: all of {', '.join(EVENTS)})",
    )
    p.add_argument(
        "--secret-env",
        default="OSPEC_WEBHOOK_SECRET",
        metavar="VAR",
        help="environment variable holding the signing secret (default: %(default)s); "
        "if it is unset, a random secret is generated and printed once",
    )
    p = add(actions, "deliveries", "list a webhook's deliveries, newest first", _webhooks_list)
    p.add_argument("webhook_id", metavar="WEBHOOK_ID")
    p.add_argument("--status", choices=("pending", "delivered", "failed", "cancelled"))
    p.add_argument("--limit", type=int, default=20)

    keys = sub.add_parser("keys", help="create API keys")
    actions = keys.add_subparsers(dest="keys_action", metavar="ACTION", required=True)
    p = add(actions, "create", "create an API key (needs the admin scope)", _keys_create)
    p.add_argument("name", metavar="NAME")
    p.add_argument(
        "--scope", action="append", dest="scopes", choices=SCOPES, required=True, metavar="SCOPE"
    )
    p.add_argument("--expires-at", metavar="RFC3339", help="e.g. 2030-01-01T00:00:00Z")


def _project_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "project_id",
        nargs="?",
        metavar="PROJECT_ID",
        help=f"the project (default: the id in ./{ID_FILE}, as written by deploy)",
    )


def _wait_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--timeout", type=float, metavar="SECONDS", help="give up after this long")
    p.add_argument(
        "--poll-interval",
        type=float,
        default=1.0,
        metavar="SECONDS",
        help="first polling interval; it grows to 10 s while nothing changes",
    )


# --- running a command --------------------------------------------------------------------------


def run(
    args: argparse.Namespace,
    handler: Handler,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Build the client, run the handler, and turn every SDK error into a message and exit code."""
    from . import sdk

    out, err = stdout or sys.stdout, stderr or sys.stderr
    name = f"ospec {args.command}"
    try:
        with sdk.Client(base_url=args.api_url, allow_insecure_http=args.allow_insecure_http) as c:
            return handler(args, c, out, err)
    except sdk.OspecError as exc:
        code = exit_code(exc)
        if isinstance(exc, sdk.SpecValidationError):
            spec = getattr(args, "spec", None) or "<spec>"
            err.write("".join(f"{spec}:{f}\n" for f in exc.findings))
        err.write(f"{name}: {exc}\n")
        if args.json:
            _emit(out, {"error": _error_json(exc, code)})
        return code
    except (_UsageError, OSError) as exc:  # OSError: e.g. a folder that cannot be written
        message = str(exc)
        if isinstance(exc, OSError):
            message = (
                f"{exc.filename}: {exc.strerror}" if exc.filename else str(exc.strerror or exc)
            )
        err.write(f"{name}: {message}\n")
        if args.json:
            _emit(out, {"error": {"type": "UsageError", "message": message, "exit_code": 2}})
        return EXIT_USAGE
    except KeyboardInterrupt:
        err.write(f"\n{name}: interrupted\n")
        return EXIT_INTERRUPTED


def exit_code(exc: Exception) -> int:
    from . import sdk

    if isinstance(exc, (sdk.AuthenticationError, sdk.PermissionDeniedError, sdk.MissingTokenError)):
        return EXIT_AUTH
    if isinstance(exc, sdk.WaitTimeoutError):
        return EXIT_TIMEOUT
    if isinstance(exc, (sdk.SpecValidationError, sdk.ArtifactExistsError)):
        return EXIT_FAILED
    if isinstance(exc, sdk.ConfigurationError):
        return EXIT_USAGE
    return EXIT_API


def _error_json(exc: Exception, code: int) -> dict[str, Any]:
    data: dict[str, Any] = {"type": type(exc).__name__, "message": str(exc), "exit_code": code}
    for attr in ("status_code", "code", "required_scope"):
        if getattr(exc, attr, None) is not None:
            data[attr] = getattr(exc, attr)
    findings = getattr(exc, "findings", None)
    if findings:
        data["findings"] = [f.__dict__ for f in findings]
    return data


class _UsageError(Exception):
    pass


def _emit(out: TextIO, data: object) -> None:
    out.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def _project_id(args: argparse.Namespace) -> str:
    if args.project_id:
        return str(args.project_id)
    try:
        found = Path(ID_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        raise _UsageError(f"give a PROJECT_ID (there is no ./{ID_FILE} to read it from)") from None
    if not found:
        raise _UsageError(f"./{ID_FILE} is empty")
    return found


# --- deploy, status, watch ----------------------------------------------------------------------


def _deploy(args: argparse.Namespace, client: Client, out: TextIO, err: TextIO) -> int:
    from .checker import analyze_text
    from .core import Severity
    from .report import Located, text

    path = Path(args.spec)
    try:
        raw = path.read_bytes()
        spec = raw.decode("utf-8").removeprefix("\ufeff")
    except OSError as exc:
        raise _UsageError(f"{args.spec}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise _UsageError(f"{args.spec}: not UTF-8 text") from None
    located = [Located(args.spec, f) for f in analyze_text(spec, path=path).findings]
    findings = [item.as_json() for item in located]
    err.write(text(located))
    errors = sum(1 for item in located if item.finding.severity is Severity.ERROR)
    if errors:
        err.write(
            f"ospec deploy: {args.spec} has {errors} error{'s' if errors != 1 else ''}; "
            "fix them before deploying (nothing was sent)\n"
        )
        if args.json:
            _emit(out, {"deployed": False, "findings": findings})
        return EXIT_FAILED

    created = client.create_project(spec.encode("utf-8"), idempotency_key=args.idempotency_key)
    try:
        Path(args.id_file).write_text(created.id + "\n", encoding="utf-8")
    except OSError as exc:
        raise _UsageError(f"cannot write {args.id_file}: {exc.strerror or exc}") from None
    say = err if args.json else out
    if created.replayed:
        say.write(
            f"project {created.id} was already created with this idempotency key; reusing it\n"
        )
    else:
        say.write(f"created project {created.id} ({created.name})\n")
    say.write(f"project id written to {args.id_file}\n")
    result: dict[str, Any] = {
        "project_id": created.id,
        "replayed": created.replayed,
        "findings": findings,
        "created": created.raw,
    }
    if not args.wait:
        if args.json:
            _emit(out, result)
        return EXIT_OK
    final = _follow(args, client, created.id, say)
    if args.json:
        _emit(out, {**result, "status": final.status, "project": final.raw})
    return _final_code(final, say)


def _status(args: argparse.Namespace, client: Client, out: TextIO, err: TextIO) -> int:
    project = client.get_project(_project_id(args))
    if args.json:
        _emit(out, project.raw)
        return EXIT_OK
    rows = [
        ("project", f"{project.id} ({project.name})"),
        ("status", f"{project.status} ({project.percent}%)"),
        ("phase", project.current_phase),
        ("tasks", f"{project.tasks_completed}/{project.tasks_total}"),
        ("agents", ", ".join(f"{r}={a}" for r, a in sorted(project.agents.items())) or "-"),
        ("updated", project.updated_at.isoformat() if project.updated_at else "-"),
    ]
    if project.error:
        rows.append(("error", project.error))
    out.write("".join(f"{k + ':':<9} {v}\n" for k, v in rows))
    return EXIT_OK


def _watch(args: argparse.Namespace, client: Client, out: TextIO, err: TextIO) -> int:
    project_id = _project_id(args)
    if args.json:
        # One JSON object per change (JSON Lines), so a script can react while it runs.
        final = None
        for final in client.watch_project(
            project_id, timeout=args.timeout, poll_interval=args.poll_interval
        ):
            out.write(json.dumps(final.raw) + "\n")
            out.flush()
        assert final is not None
        return _final_code(final, err)
    final = _follow(args, client, project_id, out)
    return _final_code(final, out)


def _follow(args: argparse.Namespace, client: Client, project_id: str, stream: TextIO) -> Project:
    progress = ProgressDisplay(stream)
    try:
        return client.wait_for_completion(
            project_id,
            timeout=args.timeout,
            on_progress=progress.update,
            poll_interval=args.poll_interval,
        )
    finally:
        progress.close()


def _final_code(project: Project, stream: TextIO) -> int:
    if project.status == "deployed":
        stream.write(f"project {project.id} deployed\n")
        return EXIT_OK
    stream.write(
        f"project {project.id} failed in the {project.failed_phase or project.current_phase} "
        f"phase: {project.error or 'no reason given'}\n"
    )
    return EXIT_FAILED


class ProgressDisplay:
    """A redrawn bar on a terminal; in CI logs (no TTY) one line per phase change instead."""

    WIDTH = 30

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        isatty = getattr(stream, "isatty", None)
        self.tty = bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"
        self._phase: str | None = None
        self._drawn = False

    def update(self, project: Project) -> None:
        if self.tty:
            filled = round(project.progress * self.WIDTH)
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            self.stream.write(f"\r{project.current_phase:<15} [{bar}] {project.percent:3d}%")
            self._drawn = True
        elif project.current_phase != self._phase:
            self.stream.write(f"phase {project.current_phase} ({project.percent}%)\n")
        self._phase = project.current_phase
        self.stream.flush()

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False


# --- artifacts ----------------------------------------------------------------------------------


def _artifacts(args: argparse.Namespace, client: Client, out: TextIO, err: TextIO) -> int:
    project_id = _project_id(args)
    found = client.get_artifacts(project_id)
    if args.types:
        found = [a for a in found if a.type in args.types]
    rows = [dict(a.raw) for a in found]
    if args.download:
        dest = os.path.join(args.download, "")  # a trailing separator: always a folder
        for artifact, row in zip(found, rows, strict=True):
            saved = client.download_artifact(project_id, artifact, dest, overwrite=args.overwrite)
            row["downloaded_to"] = str(saved)
            if not args.json:
                out.write(f"{artifact.type}: {saved}\n")
    if args.json:
        _emit(out, rows)
    elif not args.download:
        if not found:
            err.write(f"project {project_id} has no artifacts yet\n")
        for a in found:
            stamp = a.modified.isoformat() if a.modified else "-"
            out.write(f"{a.type:<15} {a.size_bytes:>10}  {stamp}  {a.path}\n")
    return EXIT_OK


# --- agents, webhooks, keys ---------------------------------------------------------------------


def _agents_assign(args: argparse.Namespace, client: Client, out: TextIO, err: TextIO) -> int:
    done = client.assign_agent(
        args.project_id, args.role, args.agent_id, args.capabilities, args.priority
    )
    if args.json:
        _emit(out, done.raw)
    else:
        out.write(f"{done.agent_id} is the {done.role} of {done.project_id} ({done.priority})\n")
    return EXIT_OK


def _agents_status(args: argparse.Namespace, client: Client, out: TextIO, err: TextIO) -> int:
    s = client.get_agent_status(args.agent_id)
    if args.json:
        _emit(out, s.raw)
        return EXIT_OK
    doing = f" on {s.current_project}: {s.current_task}" if s.current_project else ""
    out.write(f"{s.agent_id}: {s.status}{doing} (utilization {s.utilization:.0%})\n")
    return EXIT_OK


def _webhooks_add(args: argparse.Namespace, client: Client, out: TextIO, err: TextIO) -> int:
    secret = os.environ.get(args.secret_env, "")
    generated = not secret
    if generated:
        secret = secrets.token_urlsafe(32)
    hook = client.register_webhook(args.url, args.events or list(EVENTS), secret)
    if args.json:
        _emit(out, {**hook.raw, **({"secret": secret} if generated else {})})
        return EXIT_OK
    out.write(f"webhook {hook.id} -> {hook.url} ({', '.join(hook.events)})\n")
    if generated:
        out.write(f"signing secret (shown once, store it for verification): {secret}\n")
    return EXIT_OK


def _webhooks_list(args: argparse.Namespace, client: Client, out: TextIO, err: TextIO) -> int:
    page = client.list_webhook_deliveries(args.webhook_id, status=args.status, limit=args.limit)
    if args.json:
        _emit(
            out, {"deliveries": [d.raw for d in page.deliveries], "next_cursor": page.next_cursor}
        )
        return EXIT_OK
    for d in page.deliveries:
        last = d.last_status_code or d.last_error or "-"
        out.write(f"{d.delivery_id}  {d.event:<24} {d.status:<10} attempts={d.attempts} {last}\n")
    if not page.deliveries:
        err.write(f"webhook {args.webhook_id} has no deliveries\n")
    return EXIT_OK


def _keys_create(args: argparse.Namespace, client: Client, out: TextIO, err: TextIO) -> int:
    key = client.create_api_key(args.name, args.scopes, args.expires_at)
    if args.json:
        _emit(out, key.raw)
        return EXIT_OK
    expires = key.expires_at.isoformat() if key.expires_at else "never"
    err.write(f"api key {key.id} ({', '.join(key.scopes)}), expires {expires}; shown once:\n")
    out.write(key.api_key + "\n")
    return EXIT_OK
