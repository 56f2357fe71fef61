"""`ospec check`: the same analysis as the editor, for CI (edge: files, stdin, exit codes)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TextIO

from .checker import analyze_text
from .core import PROFILES, Finding, Options, Severity
from .discover import STDIN, expand
from .report import FORMATS, Located

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
# Below this many files, starting worker processes costs more than it saves.
PARALLEL_FROM = 16


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "check",
        help="check OSpec files (exit 0 clean, 1 error findings, 2 usage or I/O error)",
        description="Check OSpec specs with the same rules as the language server.",
    )
    p.add_argument(
        "paths",
        nargs="*",
        default=["."],
        metavar="PATH",
        help="files, folders (searched for *.ospec.yaml, *.ospec.yml, *.ospec), "
        "globs, or - for standard input (default: .)",
    )
    p.add_argument("--format", choices=sorted(FORMATS), default="text", help="output format")
    p.add_argument(
        "--profile",
        choices=PROFILES,
        default="default",
        help="schema profile (an in-file '# ospec: profile=...' modeline wins)",
    )
    p.add_argument(
        "--warnings-as-errors", action="store_true", help="exit 1 when there are warnings too"
    )
    p.add_argument(
        "--stdin-filename",
        metavar="NAME",
        help="file name to assume for standard input (for the id and file rules)",
    )
    p.add_argument(
        "--rule",
        action="append",
        default=[],
        metavar="CODE=LEVEL",
        help="set a rule's level: off, error, warning or info (repeatable)",
    )
    p.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=0,
        metavar="N",
        help="worker processes (default: one per usable CPU, from 16 files on; 1: no workers)",
    )
    p.set_defaults(run=run)


def run(
    args: argparse.Namespace, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    try:
        options = Options(profile=args.profile, rules=_rule_levels(args.rule))
    except ValueError as err:
        stderr.write(f"ospec check: {err}\n")
        return EXIT_USAGE
    located: list[Located] = []
    io_errors = checked = 0
    targets = list(expand(args.paths))
    for result in _check_all(targets, args.stdin_filename, options, args.jobs):
        if result.error:
            stderr.write(f"ospec check: {result.error}\n")
            io_errors += 1
            continue
        checked += 1
        located.extend(Located(result.shown, f) for f in result.findings)
    stdout.write(FORMATS[args.format](located))
    errors = sum(1 for i in located if i.finding.severity is Severity.ERROR)
    warnings = sum(1 for i in located if i.finding.severity is Severity.WARNING)
    if checked == 0 and io_errors == 0:
        stderr.write(
            "ospec check: no spec files found (looked for *.ospec.yaml, *.ospec.yml, *.ospec)\n"
        )
        return EXIT_USAGE
    stderr.write(
        f"{checked} file{'s' if checked != 1 else ''} checked: {errors} error"
        f"{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}"
        f"{f', {io_errors} unreadable' if io_errors else ''}\n"
    )
    if io_errors:
        return EXIT_USAGE
    if errors or (args.warnings_as_errors and warnings):
        return EXIT_FINDINGS
    return EXIT_CLEAN


@dataclass(frozen=True, slots=True)
class Checked:
    shown: str
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None


def check_one(target: str | Path, stdin_name: str | None, options: Options) -> Checked:
    try:
        shown, path, text = _read(target, stdin_name)
    except _ReadError as err:
        return Checked(str(target), error=str(err))
    return Checked(shown, analyze_text(text, path=path, options=options).findings)


def _check_all(
    targets: list[str | Path], stdin_name: str | None, options: Options, jobs: int
) -> Iterator[Checked]:
    """Results in the order of targets; on several processes when there are many files."""
    workers = jobs if jobs > 0 else usable_cpus()
    one = partial(check_one, stdin_name=stdin_name, options=options)
    if workers < 2 or len(targets) < PARALLEL_FROM or STDIN in targets:
        yield from map(one, targets)
        return
    with ProcessPoolExecutor(workers) as pool:
        yield from pool.map(one, targets, chunksize=max(1, len(targets) // (workers * 8)))


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on macOS or Windows
        return os.cpu_count() or 1


class _ReadError(Exception):
    pass


def _read(target: str | Path, stdin_name: str | None) -> tuple[str, Path | None, str]:
    """(name to show, path for relative lookups, text)."""
    if target == STDIN:
        raw = sys.stdin.buffer.read()
        shown = stdin_name or "<stdin>"
        path = Path(stdin_name) if stdin_name else None
    else:
        path = Path(target)
        shown = str(target)
        try:
            raw = path.read_bytes()
        except IsADirectoryError:
            raise _ReadError(f"{shown}: is a folder") from None
        except FileNotFoundError:
            raise _ReadError(f"{shown}: no such file") from None
        except OSError as err:
            raise _ReadError(f"{shown}: cannot read: {err.strerror or err}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise _ReadError(
            f"{shown}: not UTF-8 text (invalid byte 0x{raw[err.start]:02x} at offset "
            f"{err.start}); save the file as UTF-8"
        ) from None
    return shown, path, text.removeprefix("\ufeff")


def _rule_levels(items: list[str]) -> dict[str, str]:
    levels = {}
    for item in items:
        code, sep, level = item.partition("=")
        if not sep:
            raise ValueError(f"--rule expects CODE=LEVEL, got {item!r}")
        levels[code.strip().upper()] = level.strip().lower()
    return levels
