"""Property tests: any text, and any mutation of a valid spec, is analysed without an exception,
with every range inside the document, deterministically; completion, hover and quick fixes
work at any position of any such text."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ospec.checker import analyzer
from ospec.core import Pos, Span
from ospec.core.completion import Env, complete
from ospec.core.fixes import fixes_for
from ospec.core.hover import hover_at
from ospec.core.yamldoc import split_lines

from ..conftest import EXAMPLES

SEEDS = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.ospec.yaml"))]
YAML_BITS = [
    "- ",
    ": ",
    "{",
    "}",
    "[",
    "]",
    "'",
    '"',
    "#",
    "&a ",
    "*a",
    "<<: ",
    "|\n",
    ">-\n",
    "\t",
    "\n",
    "  ",
    "---\n",
    "...\n",
    "!!str ",
    "? ",
    "%YAML 1.2\n",
    "😀",
    "\x00",
    "\ud800",
    "{{secrets.",
    "}}",
    "${",
    "\r\n",
    "\u2028",
    "\x85",
]
CASES = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def inside(span: Span, lines: list[str]) -> bool:
    def ok(p: Pos) -> bool:
        return 0 <= p.line < len(lines) and 0 <= p.col <= len(lines[p.line])

    return ok(span.start) and ok(span.end) and span.start <= span.end


@st.composite
def mutated_specs(draw: st.DrawFn) -> str:
    lines = draw(st.sampled_from(SEEDS)).split("\n")
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(
            st.sampled_from(["delete", "duplicate", "reindent", "insert", "truncate", "swap"])
        )
        if op == "delete" and len(lines) > 1:
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "reindent":
            lines[i] = " " * draw(st.integers(0, 9)) + lines[i].lstrip()
        elif op == "insert":
            col = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:col] + draw(st.sampled_from(YAML_BITS)) + lines[i][col:]
        elif op == "truncate":
            lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
        else:
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines)


texts = st.one_of(
    st.text(max_size=300),
    st.lists(
        st.sampled_from([*YAML_BITS, "id", "tasks", "name", "x", "1", "true"]), max_size=60
    ).map("".join),
    mutated_specs(),
)


def check_everything(text: str) -> None:
    a = analyzer()
    first = a.analyze(text, filename="demo.ospec.yaml", file_exists=lambda p: False)
    again = a.analyze(text, filename="demo.ospec.yaml", file_exists=lambda p: False)
    lines = split_lines(text)
    assert [(f.code, f.span, f.message) for f in first.findings] == [
        (f.code, f.span, f.message) for f in again.findings
    ]
    schema = a.schemas[first.profile]
    for finding in first.findings:
        assert inside(finding.span, lines), (finding, text)
        for fix in fixes_for(first.doc, finding, schema, "demo.ospec.yaml"):
            for edit in fix.edits:
                assert edit.span.start <= edit.span.end
    step = max(1, len(lines) // 6)
    for line in range(0, len(lines), step):
        for col in {0, len(lines[line]) // 2, len(lines[line])}:
            pos = Pos(line, col)
            for item in complete(
                lines,
                pos,
                schema,
                Env(
                    tree=first.doc if first.doc.usable else None,
                    filename="demo.ospec.yaml",
                    snippets=True,
                ),
            ):
                assert inside(item.replace, lines)
            if first.doc.usable:
                info = hover_at(first.doc, pos, schema)
                assert info is None or inside(info.span, lines)


@CASES
@given(texts)
def test_any_text_is_analysed_safely(text: str) -> None:
    check_everything(text)


def test_every_example_is_analysed_safely() -> None:
    for text in SEEDS:
        check_everything(text)
