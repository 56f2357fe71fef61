"""Incremental analysis: an edit inside one key or list item re-parses only that part (moving
what follows when it adds or removes lines), and the result is the same as analysing the whole
text; structural edits parse the whole text."""

from __future__ import annotations

import pytest

from ospec.checker import analyzer
from ospec.core import Analysis, Code, Options

SPEC = """\
ospec_version: "1.0.0"
id: shop
name: Shop
description: An online shop.
outcome_type: web-app
secrets:
  required: [DB_URL]
acceptance:
  http_endpoints:
    - path: /health
      status: 200
tasks:
  - id: setup
    title: Set up
  - id: cart
    title: Cart
    description: Uses {{secrets.DB_URL}}.
    dependencies: [setup]
"""
CORE = analyzer()


def edit(previous: Analysis, old: str, new: str, **kwargs: object) -> Analysis:
    """Analyse the previous text with one replacement, incrementally, and check it against a
    full analysis of the same text."""
    text = previous.doc.text.replace(old, new, 1)
    assert text != previous.doc.text
    result = CORE.analyze(text, previous=previous, **kwargs)  # type: ignore[arg-type]
    full = CORE.analyze(text, **kwargs)  # type: ignore[arg-type]
    assert result.findings == full.findings
    assert result.doc.data == full.doc.data
    return result


def codes(analysis: Analysis) -> list[tuple[str, int]]:
    return [(f.code, f.span.start.line) for f in analysis.findings]


def test_an_edit_inside_a_value_reparses_only_that_key() -> None:
    result = edit(CORE.analyze(SPEC), "title: Cart", "title: Shopping cart")
    assert result.spliced == ("tasks", 1, "title")
    assert result.doc.data["tasks"][1]["title"] == "Shopping cart"
    assert result.findings == []


def test_a_schema_error_typed_into_a_list_item_is_reported_where_it_is() -> None:
    result = edit(CORE.analyze(SPEC), "status: 200", "status: ok")
    assert result.spliced == ("acceptance", "http_endpoints", 0, "status")
    assert codes(result) == [(Code.TYPE.code, 10)]


def test_fixing_the_error_in_the_next_version_removes_its_finding() -> None:
    broken = edit(CORE.analyze(SPEC), "status: 200", "status: ok")
    fixed = edit(broken, "status: ok", "status: 201")
    assert fixed.spliced is not None
    assert fixed.findings == []


def test_rules_across_sections_see_the_whole_merged_document() -> None:
    renamed = edit(CORE.analyze(SPEC), "id: setup", "id: set-up")
    assert renamed.spliced == ("tasks", 0)
    # The dependency on the old id, in another task, is now unknown.
    assert codes(renamed) == [(Code.UNKNOWN_DEPENDENCY.code, 17)]


def test_a_secret_used_in_one_section_is_checked_against_another() -> None:
    result = edit(CORE.analyze(SPEC), "required: [DB_URL]", "required: [DB_URI]")
    assert result.spliced == ("secrets", "required")
    assert codes(result) == [(Code.UNDECLARED_SECRET.code, 16)]


def test_a_renamed_key_reparses_its_parent_instead() -> None:
    result = edit(CORE.analyze(SPEC), "    title: Cart", "    titel: Cart")
    assert result.spliced == ("tasks", 1)
    assert [f.code for f in result.findings] == [Code.MISSING_KEY.code, Code.UNKNOWN_KEY.code]


def test_an_added_line_reparses_its_task_and_moves_what_follows() -> None:
    broken = CORE.analyze(SPEC.replace("dependencies: [setup]", "dependencies: [setpu]"))
    assert codes(broken) == [(Code.UNKNOWN_DEPENDENCY.code, 17)]
    result = edit(broken, "title: Set up\n", "title: Set up\n    risk_level: low\n")
    assert result.spliced == ("tasks", 0)
    assert codes(result) == [(Code.UNKNOWN_DEPENDENCY.code, 18)]


def test_a_removed_line_moves_what_follows_up() -> None:
    broken = CORE.analyze(SPEC.replace("dependencies: [setup]", "dependencies: [setpu]"))
    result = edit(broken, "    description: Uses {{secrets.DB_URL}}.\n", "")
    assert result.spliced == ("tasks", 1)
    assert codes(result) == [(Code.UNKNOWN_DEPENDENCY.code, 16)]


@pytest.mark.parametrize(
    ("old", "new", "why"),
    [
        ("    title: Set up", "title: Set up", "a line now starts at the key's column"),
        ("    title: Cart\n", "    title: Cart\nmetadata: {}\n", "a new top-level key"),
        ("title: Set up", "title: &t Set up\nname2: *t", "aliases"),
        ("title: Cart", 'title: "Cart', "a quote left open (a syntax error)"),
        ("outcome_type: web-app", "outcome_type: [web-app", "a flow list left open"),
        ("tasks:\n", "tasks: \n---\n", "a second document"),
    ],
)
def test_structural_edits_parse_the_whole_text(old: str, new: str, why: str) -> None:
    result = edit(CORE.analyze(SPEC), old, new)
    assert result.spliced is None, why


def test_an_edit_after_an_alias_parses_the_whole_text() -> None:
    aliased = SPEC + "metadata:\n  owner: &owner shop-team\n  reviewer: *owner\n"
    result = edit(CORE.analyze(aliased), "title: Cart", "title: Cart page")
    assert result.spliced is None


def test_an_edit_after_a_syntax_error_parses_the_whole_text() -> None:
    broken = CORE.analyze(SPEC.replace("title: Cart", 'title: "Cart'))
    assert not broken.doc.usable
    result = edit(broken, "title: Set up", "title: Setup")
    assert result.spliced is None


def test_other_options_than_the_previous_analysis_had_parse_the_whole_text() -> None:
    previous = CORE.analyze(SPEC)
    strict = Options(profile="strict")
    result = edit(previous, "title: Cart", "title: Carts", options=strict)
    assert result.spliced is None
