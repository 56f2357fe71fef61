"""The `ospec` command: one entry point dispatching to subcommands (edge)."""

from __future__ import annotations

import argparse
import sys

from . import __version__, check, platform_cli


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ospec", description="Tools for OSpec documents.")
    parser.add_argument("--version", action="version", version=f"ospec {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    check.add_parser(sub)
    platform_cli.add_parsers(sub)
    lsp = sub.add_parser(
        "lsp", help="run the language server (stdio; same as ospec-lsp)", add_help=False
    )
    lsp.add_argument("rest", nargs=argparse.REMAINDER)
    lsp.set_defaults(run=_lsp)
    sandbox = sub.add_parser(
        "sandbox", help="run the local OSpec platform API sandbox", add_help=False
    )
    sandbox.add_argument("rest", nargs=argparse.REMAINDER)
    sandbox.set_defaults(run=_sandbox)
    return parser


def _lsp(args: argparse.Namespace) -> int:
    from .lsp.main import main as lsp_main

    return lsp_main(args.rest)


def _sandbox(args: argparse.Namespace) -> int:
    try:
        from .sandbox.cli import main as sandbox_main
    except ImportError as err:
        sys.stderr.write(
            f"ospec sandbox needs the sandbox extra: pip install 'ospec[sandbox]' ({err})\n"
        )
        return 2
    return sandbox_main(args.rest)


# These hand all their arguments to their own parsers (editors add e.g. `--stdio`).
PASSTHROUGH = {"lsp": _lsp, "sandbox": _sandbox}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in PASSTHROUGH:
        return int(PASSTHROUGH[argv[0]](argparse.Namespace(rest=argv[1:])) or 0)
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help(sys.stderr)
        return 2
    return int(args.run(args) or 0)
