"""The documented ways to start things work: ospec, python -m ospec, ospec lsp with editor flags."""

from __future__ import annotations

import subprocess
import sys


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, input=stdin, capture_output=True, text=True, timeout=60)


def test_python_dash_m_ospec_shows_help_and_version() -> None:
    assert "ospec 0." in run(sys.executable, "-m", "ospec", "--version").stdout
    proc = run(sys.executable, "-m", "ospec", "--help")
    assert proc.returncode == 0 and "check" in proc.stdout and "lsp" in proc.stdout


def test_ospec_lsp_accepts_the_stdio_flag_editors_add() -> None:
    # vscode-languageclient appends --stdio; an empty stdin ends the session cleanly.
    proc = run(sys.executable, "-m", "ospec", "lsp", "--stdio")
    assert proc.returncode == 0, proc.stderr


def test_ospec_lsp_help_is_the_servers_own() -> None:
    proc = run(sys.executable, "-m", "ospec", "lsp", "--help")
    assert proc.returncode == 0 and "--tcp HOST:PORT" in proc.stdout


def test_ospec_lsp_ends_at_the_end_of_stdin_whatever_stdin_is() -> None:
    # A pipe is read on the event loop; /dev/null (which epoll refuses) through pygls's reader.
    with open("/dev/null", "rb") as devnull:
        proc = subprocess.run(
            [sys.executable, "-m", "ospec", "lsp"], stdin=devnull, capture_output=True, timeout=60
        )
    assert proc.returncode == 0, proc.stderr
