"""Incremental analysis equals full analysis: after every step of random edit sequences applied
to the bundled examples and to generated large specs, the analysis spliced from the previous
version has the same findings, tree, data and syntax findings as analysing the text afresh; and
the language server analyses each new version that way."""

from __future__ import annotations

import math
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol.types import (
    DidChangeTextDocumentParams,
    InitializeParams,
    Position,
    Range,
    TextDocumentContentChangePartial,
    TextDocumentItem,
    VersionedTextDocumentIdentifier,
)
from pytest_lsp import client_capabilities

from ospec.checker import analyzer
from ospec.core import Analysis
from ospec.core.yamldoc import Mapping, Node, Scalar, Sequence
from ospec.lsp.main import create_server

from ..conftest import EXAMPLES

EXAMPLE_TEXTS = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.ospec.yaml"))]
# Pieces an edit types: YAML structure, values that change types, secrets, and plain text.
PIECES = [
    " ",
    "  ",
    "a",
    "Zoë",
    "1",
    "-",
    "- ",
    ": ",
    ":",
    "#",
    " # note",
    "'",
    '"',
    "[",
    "]",
    "{",
    "}",
    ", ",
    "&a ",
    "*a",
    "<<: ",
    "|",
    ">-",
    "!!str ",
    "? ",
    "---",
    "...",
    "\t",
    "true",
    "null",
    "42",
    "4.5",
    "high",
    "urgent",
    "{{secrets.STRIPE_KEY}}",
    "{{ secrets.DB_URL }}",
    "scaffold",
    "t00003-order-mail",
    "\u2028",
]
AREAS = ("catalogue", "cart", "checkout", "order-mail", "i18n")
HEAD = """\
# ospec-disable-next-line OSPEC-S002
ospec_version: "1.0.0"
id: big-shop
name: "Big shop"
description: >-
  A generated spec with many tasks,
  endpoints and flows.
outcome_type: web-app
secrets:
  required: ["STRIPE_KEY", "DB_URL"]
acceptance:
  http_endpoints:
"""


def generated(units: int) -> str:
    """A valid spec of about 5 * units lines, shaped like the benchmark's."""
    out = [HEAD.rstrip("\n")]
    for k in range(units):
        out += [f'    - path: "/api/{AREAS[k % 5]}/{k}"', "      status: 200"]
    out += ["  ux_flows:"]
    for k in range(0, units, 4):
        out += [f'    - name: "flow_{k}"', "      steps:", '        - "Open the page"']
    out += ["", "tasks:"]
    for k in range(units):
        deps = ", ".join(f'"t{k - j:05d}"' for j in (1, 3) if k - j >= 0)
        if k % 4 == 0:
            out.append(f'  - {{ id: "t{k:05d}", title: "Slice {k}", dependencies: [{deps}] }}')
            continue
        out += [
            f'  - id: "t{k:05d}"',
            f'    title: "Build {AREAS[k % 5]} slice {k}"',
            f"    description: |\n      Slice {k}: uses {{{{secrets.STRIPE_KEY}}}}.\n",
            f"    dependencies: [{deps}]",
            f"    estimated_hours: {k % 8 + 0.5}",
            '    risk_level: "low"',
        ]
    out += ["metadata:", '  version: "1.2.0"', "  tags: [shop, big]", ""]
    return "\n".join(out)


SPECS = [*EXAMPLE_TEXTS, generated(60), generated(150)]
CORE = analyzer()
FILES = {"prompts/system.md", "scripts/setup.sh"}


def analyse(text: str, previous: Analysis | None = None) -> Analysis:
    return CORE.analyze(
        text,
        filename="big-shop.ospec.yaml",
        file_exists=lambda p: p in FILES,
        previous=previous,
    )


def tree(node: Node | None) -> Any:
    """A comparable picture of a tree: kinds, spans, values, styles, key order and index."""
    if node is None:
        return None
    if isinstance(node, Scalar):
        return ("scalar", node.span, canonical(node.value), node.text, node.style)
    if isinstance(node, Sequence):
        return ("seq", node.span, node.flow, [tree(n) for n in node.items])
    assert isinstance(node, Mapping)
    pairs = [(tree(p.key), tree(p.value)) for p in node.pairs]
    index = sorted((k, tree(p.key), tree(p.value)) for k, p in node.index.items())
    return ("map", node.span, node.flow, pairs, repr(index))


def canonical(value: Any) -> Any:
    """Plain data with NaN made comparable."""
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [canonical(v) for v in value]
    return value


def same(incremental: Analysis, full: Analysis) -> None:
    assert incremental.findings == full.findings
    assert [(f.severity, f.data) for f in incremental.findings] == [
        (f.severity, f.data) for f in full.findings
    ]
    assert incremental.profile == full.profile
    assert tree(incremental.doc.root) == tree(full.doc.root)
    assert canonical(incremental.doc.data) == canonical(full.doc.data)
    assert sorted(incremental.doc.syntax, key=repr) == sorted(full.doc.syntax, key=repr)
    assert incremental.doc.aliased == full.doc.aliased


@st.composite
def edit(draw: st.DrawFn, text: str) -> str:
    """One keystroke-sized edit: type, delete or replace a few characters, often on one line."""
    lines = text.split("\n")
    line = draw(st.integers(0, len(lines) - 1))
    col = draw(st.integers(0, len(lines[line])))
    offset = sum(len(x) + 1 for x in lines[:line]) + col
    kind = draw(st.sampled_from(["type", "type", "delete", "replace", "newline", "indent"]))
    if kind == "type":
        return text[:offset] + draw(st.sampled_from(PIECES)) + text[offset:]
    if kind == "delete":
        return text[:offset] + text[offset + draw(st.integers(1, 4)) :]
    if kind == "replace":
        span = draw(st.integers(1, 8))
        return text[:offset] + draw(st.sampled_from(PIECES)) + text[offset + span :]
    if kind == "newline":
        return text[:offset] + "\n" + text[offset:]
    start = offset - col
    if draw(st.booleans()):
        return text[:start] + "  " + text[start:]
    return text[:start] + text[start:].removeprefix(" ")


CASES = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@CASES
@given(data=st.data(), seed=st.sampled_from(range(len(SPECS))))
def test_every_step_of_an_edit_sequence_matches_a_full_analysis(
    data: st.DataObject, seed: int
) -> None:
    text = SPECS[seed]
    previous = analyse(text)
    for _ in range(data.draw(st.integers(1, 8))):
        text = data.draw(edit(text))
        incremental = analyse(text, previous)
        same(incremental, analyse(text))
        previous = incremental


def test_edit_sequences_mostly_take_the_incremental_path() -> None:
    """The property above is about the spliced path: one-character edits of values take it."""
    text = SPECS[-2]
    previous = analyse(text)
    lines = text.split("\n")
    tried = spliced = 0
    for number in range(1, len(lines), 3):
        # Change the line's last letter or digit: quotes stay balanced, keys mostly unchanged.
        edited_line = re.sub(r"[A-Za-z0-9](?=[^A-Za-z0-9]*$)", "x", lines[number], count=1)
        if edited_line == lines[number]:
            continue
        edited = "\n".join([*lines[:number], edited_line, *lines[number + 1 :]])
        result = analyse(edited, previous)
        same(result, analyse(edited))
        tried += 1
        spliced += result.spliced is not None
    assert spliced > 0.8 * tried


async def test_the_language_server_splices_each_version_from_the_previous_one() -> None:
    ls = create_server()
    ls.start_session(InitializeParams(capabilities=client_capabilities("visual_studio_code")))
    uri = "file:///nonexistent/big-shop.ospec.yaml"
    doc = ls.documents.open(
        TextDocumentItem(uri=uri, language_id="yaml", version=1, text=SPECS[-1])
    )
    await ls.analysis(doc)
    title = '    title: "Build checkout slice 77"'
    line = SPECS[-1].split("\n").index(title)
    col = title.index("77") + 1
    edit = TextDocumentContentChangePartial(
        range=Range(start=Position(line, col), end=Position(line, col + 1)), text="x"
    )
    ls.documents.change(
        DidChangeTextDocumentParams(
            text_document=VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[edit],
        ),
        ls.units,
    )
    analysis = await ls.analysis(doc)
    assert analysis.spliced == ("tasks", 77, "title")
    assert analysis.doc.data["tasks"][77]["title"] == "Build checkout slice 7x"
    same(analysis, CORE.analyze(doc.text, filename="big-shop.ospec.yaml"))
