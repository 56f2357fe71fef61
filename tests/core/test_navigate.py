"""Task ids and secret names across a spec, and its file links (core/navigate.py)."""

from __future__ import annotations

from textwrap import dedent

import pytest

from ospec.core import Pos, Span, parse
from ospec.core.navigate import Edit, Index, Link, RenameError, index, links

from ..conftest import at_cursor

TASKS = """\
tasks:
  - id: "setup"
    title: Set up
  - id: api
    title: Build the API
    dependencies: [setup]
  - id: docs
    title: Write the docs
    dependencies:
      - "setup"
      - api
"""

SECRETS = """\
secrets:
  required: ["DB_URL"]
  optional:
    - SENTRY_DSN
scripts:
  deploy: |
    #!/bin/bash
    export DB="{{secrets.DB_URL}}" OTHER="{{ secrets.DB_URL }}"
deployment:
  url: "postgres://{{secrets.DB_URL}}"
  dsn: "{{secrets.SENTRY_DSN}}"
  token: "{{secrets.MISSING}}"
"""


def r(span: Span) -> tuple[int, int, int, int]:
    return (span.start.line, span.start.col, span.end.line, span.end.col)


def cursor(text: str) -> tuple[Index, Pos]:
    clean, line, col = at_cursor(dedent(text))
    return index(parse(clean)), Pos(line, col)


def mark(text: str, line: int, col: int) -> str:
    """Put the cursor marker at (line, col) of text."""
    lines = text.split("\n")
    lines[line] = lines[line][:col] + "‸" + lines[line][col:]
    return "\n".join(lines)


def apply(text: str, edits: list[Edit]) -> str:
    lines = text.split("\n")
    for edit in sorted(edits, key=lambda e: e.span.start, reverse=True):
        s, e = edit.span.start, edit.span.end
        assert s.line == e.line
        lines[s.line] = lines[s.line][: s.col] + edit.text + lines[s.line][e.col :]
    return "\n".join(lines)


# -- definition ------------------------------------------------------------------------------


def test_a_dependency_leads_to_the_task_id_inside_its_quotes() -> None:
    names, pos = cursor(mark(TASKS, 5, 21))
    here, [target] = names.definitions(pos)  # type: ignore[misc]
    assert (here.name, r(here.hit)) == ("setup", (5, 19, 5, 24))
    assert (r(target.span), r(target.item)) == ((1, 9, 1, 14), (1, 4, 2, 17))


def test_a_cursor_just_after_a_dependency_still_finds_it() -> None:
    names, pos = cursor(mark(TASKS, 10, 11))
    _, [target] = names.definitions(pos)  # type: ignore[misc]
    assert r(target.span) == (3, 8, 3, 11)


def test_a_task_id_is_its_own_definition() -> None:
    names, pos = cursor(mark(TASKS, 3, 9))
    _, [target] = names.definitions(pos)  # type: ignore[misc]
    assert r(target.span) == (3, 8, 3, 11)


def test_an_unknown_dependency_has_no_definition() -> None:
    names, pos = cursor("tasks:\n  - id: a\n    dependencies: [gh‸ost]\n")
    assert names.definitions(pos) is None


@pytest.mark.parametrize("col", [19, 22, 31, 37], ids=["open-braces", "prefix", "name", "close"])
def test_anywhere_in_a_secret_placeholder_leads_to_its_declaration(col: int) -> None:
    names, pos = cursor(mark(SECRETS, 9, col))
    here, [target] = names.definitions(pos)  # type: ignore[misc]
    assert (r(here.hit), r(here.span)) == ((9, 19, 9, 37), (9, 29, 9, 35))
    assert r(target.span) == (1, 14, 1, 20)


def test_an_optional_secret_is_a_declaration_too() -> None:
    names, pos = cursor(mark(SECRETS, 10, 20))
    _, [target] = names.definitions(pos)  # type: ignore[misc]
    assert r(target.span) == (3, 6, 3, 16)


def test_an_undeclared_secret_has_no_definition() -> None:
    names, pos = cursor(mark(SECRETS, 11, 22))
    assert names.definitions(pos) is None


def test_text_outside_any_name_has_no_definition() -> None:
    names, pos = cursor(mark(TASKS, 2, 12))
    assert names.definitions(pos) is None


# -- references ------------------------------------------------------------------------------


def test_references_of_a_task_list_the_declaration_and_every_dependency() -> None:
    names, pos = cursor(mark(TASKS, 1, 10))
    spans = [(r(o.span), o.declaration) for o in names.references(pos, True)]
    assert spans == [((1, 9, 1, 14), True), ((5, 19, 5, 24), False), ((9, 9, 9, 14), False)]


def test_references_can_leave_out_the_declaration() -> None:
    names, pos = cursor(mark(TASKS, 5, 20))
    assert [r(o.span) for o in names.references(pos, False)] == [(5, 19, 5, 24), (9, 9, 9, 14)]


def test_references_of_a_secret_cover_every_placeholder_in_any_string() -> None:
    names, pos = cursor(mark(SECRETS, 1, 16))
    assert [r(o.span) for o in names.references(pos, True)] == [
        (1, 14, 1, 20),  # the declaration
        (7, 25, 7, 31),  # in a block scalar
        (7, 53, 7, 59),  # twice in one line, with spaces inside the braces
        (9, 29, 9, 35),  # in a quoted string
    ]


def test_references_of_nothing_are_empty() -> None:
    names, pos = cursor(mark(TASKS, 0, 2))
    assert names.references(pos, True) == []


def test_a_secret_placeholder_inside_a_key_is_not_a_reference() -> None:
    names, pos = cursor('secrets:\n  required: [A‸]\n"{{secrets.A}}": 1\n')
    assert len(names.references(pos, True)) == 1


# -- rename ------------------------------------------------------------------------------------


def test_rename_a_task_updates_its_id_and_every_dependency_keeping_quotes() -> None:
    names, pos = cursor(mark(TASKS, 9, 10))
    assert apply(TASKS, names.rename(pos, "init")) == TASKS.replace("setup", "init")


def test_rename_edits_replace_only_the_text_inside_quotes() -> None:
    names, pos = cursor(mark(TASKS, 1, 10))
    assert [(r(e.span), e.text) for e in names.rename(pos, "init")] == [
        ((1, 9, 1, 14), "init"),
        ((5, 19, 5, 24), "init"),
        ((9, 9, 9, 14), "init"),
    ]


def test_rename_a_secret_updates_the_declaration_and_every_placeholder() -> None:
    names, pos = cursor(mark(SECRETS, 7, 27))
    assert apply(SECRETS, names.rename(pos, "DATABASE_URL")) == SECRETS.replace(
        "DB_URL", "DATABASE_URL"
    )


def test_rename_refuses_an_invalid_task_id() -> None:
    names, pos = cursor(mark(TASKS, 3, 9))
    with pytest.raises(RenameError, match=r"'Api' is not a valid task id: use lowercase"):
        names.rename(pos, "Api")


def test_rename_refuses_an_invalid_secret_name() -> None:
    names, pos = cursor(mark(SECRETS, 1, 16))
    with pytest.raises(RenameError, match=r"'db-url' is not a valid secret name: use uppercase"):
        names.rename(pos, "db-url")


def test_rename_refuses_an_id_another_task_has() -> None:
    names, pos = cursor(mark(TASKS, 3, 9))
    with pytest.raises(RenameError, match="a task with id 'docs' already exists"):
        names.rename(pos, "docs")


def test_rename_refuses_positions_that_name_nothing() -> None:
    names, pos = cursor(mark(TASKS, 2, 12))
    with pytest.raises(RenameError, match="only a task id or a secret name can be renamed"):
        names.rename(pos, "x")


def test_rename_quotes_a_plain_id_that_yaml_would_read_as_a_boolean() -> None:
    names, pos = cursor(mark(TASKS, 3, 9))
    assert [e.text for e in names.rename(pos, "true")] == ['"true"', '"true"']


def test_rename_replaces_a_quoted_id_with_escapes_as_a_whole() -> None:
    text = 'tasks:\n  - id: "a\\x62"\n  - id: c\n    dependencies: [ab]\n'
    names, pos = cursor(mark(text, 3, 21))
    assert apply(text, names.rename(pos, "xy")) == (
        'tasks:\n  - id: "xy"\n  - id: c\n    dependencies: [xy]\n'
    )


def test_prepare_rename_offers_the_name_under_the_cursor() -> None:
    names, pos = cursor(mark(SECRETS, 9, 20))
    here = names.at(pos)
    assert here is not None and (here.name, r(here.span)) == ("DB_URL", (9, 29, 9, 35))


def test_an_alias_does_not_repeat_an_occurrence() -> None:
    names, pos = cursor('a: &x "{{secrets.K}}"\nb: *x\nsecrets:\n  required: [‸K]\n')
    assert len(names.references(pos, True)) == 2


# -- links ---------------------------------------------------------------------------------------


def test_prompt_and_script_paths_are_links_inside_their_quotes() -> None:
    text = dedent(
        """\
        prompts:
          implementer: "prompts/implementer.md"
          reviewer: prompts/reviewer.md
        scripts:
          setup: ' scripts/setup.sh '
        """
    )
    assert links(parse(text)) == [
        Link(Span.of(1, 16, 1, 38), "prompts/implementer.md"),
        Link(Span.of(2, 12, 2, 31), "prompts/reviewer.md"),
        Link(Span.of(4, 11, 4, 27), "scripts/setup.sh"),
    ]


def test_embedded_scripts_placeholders_and_non_strings_are_not_links() -> None:
    text = dedent(
        """\
        prompts:
          generated: "{{ospec.id}}.md"
          empty: ""
          number: 3
        scripts:
          seed: |
            #!/bin/bash
            echo hi
        """
    )
    assert links(parse(text)) == []
