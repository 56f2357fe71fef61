"""Outline symbols, folding ranges and selection ranges from the core (core/outline.py)."""

from __future__ import annotations

from itertools import pairwise
from textwrap import dedent

import pytest

from ospec.core import Pos, Span, parse
from ospec.core.outline import Fold, Kind, Symbol, folds, outline, selection

from ..conftest import EXAMPLES, at_cursor


def r(span: Span) -> tuple[int, int, int, int]:
    """(line, col, end_line, end_col), 0-based."""
    return (span.start.line, span.start.col, span.end.line, span.end.col)


def symbols(text: str) -> list[Symbol]:
    return outline(parse(dedent(text)))


def child(symbols: list[Symbol] | tuple[Symbol, ...], *names: str) -> Symbol:
    found = next(s for s in symbols if s.name == names[0])
    return child(found.children, *names[1:]) if names[1:] else found


def walk(symbols: tuple[Symbol, ...] | list[Symbol]):  # type: ignore[no-untyped-def]
    for s in symbols:
        yield s
        yield from walk(s.children)


def inside(inner: Span, outer: Span) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end


# -- outline -------------------------------------------------------------------------------


def test_top_level_keys_are_sections_with_a_kind_by_value() -> None:
    found = symbols(
        """\
        id: demo
        count: 3
        ratio: 0.5
        enabled: true
        empty:
        acceptance:
          tests: []
        tasks: []
        """
    )
    assert [(s.name, s.kind) for s in found] == [
        ("id", Kind.STRING),
        ("count", Kind.NUMBER),
        ("ratio", Kind.NUMBER),
        ("enabled", Kind.BOOLEAN),
        ("empty", Kind.NULL),
        ("acceptance", Kind.MODULE),
        ("tasks", Kind.ARRAY),
    ]


def test_section_details_show_the_value_or_a_count() -> None:
    found = symbols(
        """\
        id: demo
        enabled: false
        acceptance:
          tests: []
        tasks: [a, b]
        empty:
        """
    )
    assert [s.detail for s in found] == ["demo", "false", "1 key", "2 items", None]


def test_a_long_or_multi_line_value_is_shortened_in_the_detail() -> None:
    found = symbols(
        """\
        description: |
          First line.
          Second line.
        name: "%s"
        """
        % ("x" * 100)
    )
    assert found[0].detail == "First line.…"
    assert found[1].detail == "x" * 79 + "…"


def test_section_range_runs_from_key_to_last_content_not_a_trailing_comment() -> None:
    [acceptance, tasks] = symbols(
        """\
        acceptance:
          performance:
            response_time_ms: 300

        # the plan
        tasks: []
        """
    )
    assert r(acceptance.span) == (0, 0, 2, 25)
    assert r(acceptance.selection) == (0, 0, 0, 10)
    assert r(tasks.span) == (5, 0, 5, 9)


def test_block_scalar_section_ends_on_its_last_content_line() -> None:
    [description, _] = symbols(
        """\
        description: |+
          Some text.


        id: demo
        """
    )
    assert r(description.span) == (0, 0, 1, 12)


def test_nested_mapping_keys_are_children() -> None:
    performance = child(
        symbols(
            """\
            acceptance:
              performance:
                response_time_ms: 300
            """
        ),
        "acceptance",
        "performance",
    )
    assert performance.kind == Kind.OBJECT
    assert [(c.name, c.kind, c.detail, r(c.span)) for c in performance.children] == [
        ("response_time_ms", Kind.NUMBER, "300", (2, 4, 2, 25))
    ]


def test_tasks_are_named_by_id_with_the_title_as_detail() -> None:
    tasks = child(
        symbols(
            """\
            tasks:
              - id: "setup"
                title: Set up the repository
              - id: api
                title: Build the API
                dependencies: [setup]
            """
        ),
        "tasks",
    )
    assert [(t.name, t.kind, t.detail, r(t.span), r(t.selection)) for t in tasks.children] == [
        ("setup", Kind.FUNCTION, "Set up the repository", (1, 4, 2, 32), (1, 8, 1, 15)),
        ("api", Kind.FUNCTION, "Build the API", (3, 4, 5, 25), (3, 8, 3, 11)),
    ]


def test_a_task_without_an_id_is_named_by_its_index() -> None:
    tasks = child(symbols("tasks:\n  - title: Untitled work\n"), "tasks")
    [task] = tasks.children
    assert (task.name, r(task.selection)) == ("tasks[0]", (1, 4, 1, 9))


def test_endpoints_are_named_by_method_and_path_with_the_status_as_detail() -> None:
    endpoints = child(
        symbols(
            """\
            acceptance:
              http_endpoints:
                - path: /health
                  status: 200
                - { path: "/orders", method: POST, status: 201 }
            """
        ),
        "acceptance",
        "http_endpoints",
    )
    assert [(e.name, e.kind, e.detail, r(e.span), r(e.selection)) for e in endpoints.children] == [
        ("GET /health", Kind.INTERFACE, "200", (2, 6, 3, 17), (2, 12, 2, 19)),
        ("POST /orders", Kind.INTERFACE, "201", (4, 6, 4, 52), (4, 14, 4, 23)),
    ]


def test_ux_flows_are_named_with_their_step_count() -> None:
    flows = child(
        symbols(
            """\
            acceptance:
              ux_flows:
                - name: sign_up
                  steps: [Open the page, Fill in the form]
            """
        ),
        "acceptance",
        "ux_flows",
    )
    [flow] = flows.children
    assert (flow.name, flow.kind, flow.detail, r(flow.selection)) == (
        "sign_up",
        Kind.EVENT,
        "2 steps",
        (2, 12, 2, 19),
    )


def test_tests_are_named_by_file_with_their_type() -> None:
    tests = child(
        symbols(
            """\
            acceptance:
              tests:
                - { file: tests/api.test.ts, type: unit }
            """
        ),
        "acceptance",
        "tests",
    )
    [test] = tests.children
    assert (test.name, test.kind, test.detail, r(test.span), r(test.selection)) == (
        "tests/api.test.ts",
        Kind.FILE,
        "unit",
        (2, 6, 2, 45),
        (2, 14, 2, 31),
    )


def test_sub_agents_are_named_with_their_model_as_detail() -> None:
    agents = child(
        symbols(
            """\
            sub_agents:
              - name: reviewer
                description: Reviews every pull request
                model: opus
            """
        ),
        "sub_agents",
    )
    [agent] = agents.children
    assert (agent.name, agent.kind, agent.detail, r(agent.span)) == (
        "reviewer",
        Kind.CLASS,
        "opus",
        (1, 4, 3, 15),
    )


def test_prompt_and_script_files_and_embedded_scripts() -> None:
    found = symbols(
        """\
        prompts:
          implementer: prompts/implementer.md
        scripts:
          setup: "scripts/setup.sh"
          seed: |
            #!/bin/bash
            echo seeded
        """
    )
    entries = [*child(found, "prompts").children, *child(found, "scripts").children]
    assert [(e.name, e.kind, e.detail, r(e.span)) for e in entries] == [
        ("implementer", Kind.FILE, "prompts/implementer.md", (1, 2, 1, 37)),
        ("setup", Kind.FILE, "scripts/setup.sh", (3, 2, 3, 27)),
        ("seed", Kind.FUNCTION, "#!/bin/bash…", (4, 2, 6, 15)),
    ]


def test_declared_secrets_are_entries_of_their_list() -> None:
    secrets = child(
        symbols(
            """\
            secrets:
              required: ["DATABASE_URL", API_KEY]
              optional:
                - SENTRY_DSN
            """
        ),
        "secrets",
    )
    assert [
        (s.name, s.kind, r(s.span), r(s.selection))
        for list_ in secrets.children
        for s in list_.children
    ] == [
        ("DATABASE_URL", Kind.CONSTANT, (1, 13, 1, 27), (1, 13, 1, 27)),
        ("API_KEY", Kind.CONSTANT, (1, 29, 1, 36), (1, 29, 1, 36)),
        ("SENTRY_DSN", Kind.CONSTANT, (3, 6, 3, 16), (3, 6, 3, 16)),
    ]


def test_other_lists_of_mappings_are_named_by_a_naming_field() -> None:
    maintainers = child(
        symbols(
            """\
            metadata:
              maintainers:
                - name: Zoë
                  email: zoe@example.com
                - email: anon@example.com
            """
        ),
        "metadata",
        "maintainers",
    )
    assert [(m.name, m.kind) for m in maintainers.children] == [
        ("Zoë", Kind.OBJECT),
        ("maintainers[1]", Kind.OBJECT),
    ]


def test_lists_of_plain_values_have_no_children() -> None:
    tags = child(symbols("metadata:\n  tags: [a, b]\n"), "metadata", "tags")
    assert tags.children == ()


def test_an_empty_key_still_has_a_name() -> None:
    assert [s.name for s in symbols('"": x\n')] == ['""']


def test_a_document_that_is_not_a_mapping_has_no_outline() -> None:
    assert symbols("- a\n- b\n") == []
    assert symbols("id: [\n") == []


def test_deep_nesting_does_not_crash() -> None:
    text = "".join(f"{'  ' * i}k{i}:\n" for i in range(190)) + f"{'  ' * 190}leaf: 1\n"
    assert len(list(walk(outline(parse(text))))) == 191


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.ospec.yaml")), ids=lambda p: p.name)
def test_every_selection_lies_in_its_range_and_every_child_in_its_parent(path) -> None:  # type: ignore[no-untyped-def]
    found = outline(parse(path.read_text()))
    assert found
    for s in walk(found):
        assert s.name
        assert inside(s.selection, s.span), s
        assert all(inside(c.span, s.span) for c in s.children), s


# -- folding -------------------------------------------------------------------------------


def fold_lines(text: str, limit: int | None = None) -> list[tuple[int, int, bool]]:
    return [(f.start.line, f.end.line, f.comment) for f in folds(parse(dedent(text)), limit)]


def test_multi_line_values_fold_from_their_key_to_their_last_content_line() -> None:
    assert fold_lines(
        """\
        id: demo
        acceptance:
          performance:
            response_time_ms: 300
          tests: [a]

        name: x
        """
    ) == [(1, 4, False), (2, 3, False)]


def test_a_fold_ends_on_the_last_content_character() -> None:
    [fold] = folds(parse("acceptance:\n  tests: [a]   # c\n\nname: x\n"))
    assert fold == Fold(Pos(0, 11), Pos(1, 12))


def test_list_items_fold_on_their_own() -> None:
    assert fold_lines(
        """\
        tasks:
          - id: a
            title: First
          - id: b
        """
    ) == [(0, 3, False), (1, 2, False)]


def test_block_scalars_fold_without_their_trailing_blank_lines() -> None:
    assert fold_lines(
        """\
        scripts:
          seed: |+
            #!/bin/bash
            echo done


        id: x
        """
    ) == [(0, 3, False), (1, 3, False)]


def test_runs_of_comment_lines_fold_as_comments() -> None:
    assert fold_lines(
        """\
        # A spec
        # for tests
        id: demo
        # single
        name: x
        """
    ) == [(0, 1, True)]


def test_hash_lines_inside_a_block_scalar_are_not_comments() -> None:
    assert fold_lines(
        """\
        seed: |
          # not a comment
          # still text
        """
    ) == [(0, 2, False)]


def test_a_trailing_comment_block_is_not_part_of_the_section_fold() -> None:
    assert fold_lines(
        """\
        acceptance:
          tests: [a]
        # about the tasks
        # more about them
        tasks: []
        """
    ) == [(0, 1, False), (2, 3, True)]


def test_one_fold_starts_on_a_line_the_widest() -> None:
    assert fold_lines(
        """\
        flows:
          - steps:
              - a
              - b
            name: x
        """
    ) == [(0, 4, False), (1, 4, False)]


def test_past_the_limit_the_widest_folds_are_kept() -> None:
    text = """\
        a:
          b:
            c: 1
            d: 2
        e:
          f: 1
        """
    assert fold_lines(text, limit=2) == [(0, 3, False), (1, 3, False)]


def test_a_broken_document_still_folds_its_comments() -> None:
    assert fold_lines("# one\n# two\nid: [\n") == [(0, 1, True)]


# -- selection ranges ------------------------------------------------------------------------


def chain(text: str) -> list[tuple[int, int, int, int]]:
    clean, line, col = at_cursor(dedent(text))
    return [r(s) for s in selection(parse(clean), Pos(line, col))]


def test_a_value_grows_to_its_pair_its_mapping_and_the_document() -> None:
    assert chain(
        """\
        id: demo
        acceptance:
          performance:
            response_time_ms: 3‸00
        """
    ) == [
        (3, 22, 3, 25),  # 300
        (3, 4, 3, 25),  # response_time_ms: 300
        (2, 2, 3, 25),  # performance: ... (its one-pair mapping is the same range)
        (1, 0, 3, 25),  # acceptance: ...
        (0, 0, 3, 25),  # the root mapping
        (0, 0, 4, 0),  # the whole document
    ]


def test_a_key_grows_to_its_pair() -> None:
    assert chain("id: demo\nna‸me: Demo\n") == [
        (1, 0, 1, 4),
        (1, 0, 1, 10),
        (0, 0, 1, 10),
        (0, 0, 2, 0),
    ]


def test_a_list_item_grows_to_the_item_and_the_list() -> None:
    assert chain(
        """\
        tasks:
          - id: a
            title: Fir‸st
        """
    ) == [
        (2, 11, 2, 16),  # First
        (2, 4, 2, 16),  # title: First
        (1, 4, 2, 16),  # the task
        (1, 2, 2, 16),  # the list
        (0, 0, 2, 16),  # tasks: ...
        (0, 0, 3, 0),
    ]


def test_a_quoted_value_selects_its_text_then_the_quotes() -> None:
    assert chain('id: "de‸mo"\n')[:2] == [(0, 5, 0, 9), (0, 4, 0, 10)]


def test_a_secret_placeholder_selects_the_name_then_the_placeholder() -> None:
    assert chain('url: "https://{{secrets.TO‸KEN}}@host"\n')[:4] == [
        (0, 24, 0, 29),  # TOKEN
        (0, 14, 0, 31),  # {{secrets.TOKEN}}
        (0, 6, 0, 36),  # the text inside the quotes
        (0, 5, 0, 37),  # the quoted scalar
    ]


def test_a_block_scalar_selects_to_its_last_content_line() -> None:
    assert chain("seed: |\n  echo ‸a\n  echo b\n\nid: x\n")[:2] == [(0, 6, 2, 8), (0, 0, 2, 8)]


def test_between_nodes_only_the_enclosing_ranges_are_offered() -> None:
    assert chain("a: 1\n‸\nb: 2\n") == [(0, 0, 2, 4), (0, 0, 3, 0)]


def test_a_broken_document_offers_the_whole_document() -> None:
    assert chain("id: [‸\n") == [(0, 0, 1, 0)]


def test_a_position_past_the_end_does_not_crash() -> None:
    assert selection(parse("id: x\n"), Pos(40, 3)) == [Span.of(0, 0, 1, 0)]


def test_every_range_strictly_contains_the_previous_at_every_position() -> None:
    text = (EXAMPLES / "ceramics-shop.ospec.yaml").read_text()
    doc = parse(text)
    for line_no, line in enumerate(doc.lines):
        for col in range(len(line) + 1):
            spans = selection(doc, Pos(line_no, col))
            for inner, outer in pairwise(spans):
                assert inner != outer and inside(inner, outer), (line_no, col)
