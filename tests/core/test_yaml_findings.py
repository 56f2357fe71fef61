"""YAML-level findings (OSPEC-Y…): broken text gets one clear finding at the exact spot."""

from __future__ import annotations

from .helpers import MINIMAL, codes, findings, where


def test_empty_file_is_reported_at_the_start() -> None:
    [f] = findings("")
    assert (f.code, where(f)) == ("OSPEC-Y005", (0, 0, 0, 0))


def test_comment_only_file_counts_as_empty() -> None:
    assert codes("# just a comment\n\n") == ["OSPEC-Y005"]


def test_syntax_error_points_at_the_problem() -> None:
    [f] = findings("id: demo\nname: [unclosed\nouter: 1\n")
    assert f.code == "OSPEC-Y001"
    assert f.span.start.line == 2
    assert "YAML syntax error" in f.message


def test_tab_indentation_has_its_own_message() -> None:
    [f] = findings("acceptance:\n\thttp_endpoints: []\n")
    assert f.code == "OSPEC-Y003"
    assert where(f) == (1, 0, 1, 1)


def test_duplicate_key_is_flagged_on_the_second_key() -> None:
    [dup] = [f for f in findings(MINIMAL + "name: Again\n") if f.code == "OSPEC-Y002"]
    assert where(dup) == (8, 0, 8, 4)
    assert "first defined on line 3" in dup.message


def test_second_document_is_reported_and_ignored() -> None:
    [f] = findings(MINIMAL + "---\nother: doc\n")
    assert f.code == "OSPEC-Y004"
    assert f.span.start.line == 9


def test_list_at_the_root_is_not_a_spec() -> None:
    [f] = findings("- a\n- b\n")
    assert f.code == "OSPEC-Y006"
    assert "not a list" in f.message


def test_alias_bomb_is_refused_quickly() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        name = chr(ord("a") + i)
        bomb += f"{name}: &{name} [{', '.join(['*' + prev] * 10)}]\n"
    assert codes(bomb) == ["OSPEC-Y007"]


def test_merge_keys_are_resolved() -> None:
    text = (
        MINIMAL
        + "metadata: &meta\n  license: MIT\nguardrails:\n  <<: {lint: true}\n  type_check: true\n"
    )
    assert codes(text) == []


def test_control_characters_are_reported_where_they_are() -> None:
    [f] = findings("id: demo\nname: a\x00b\n")
    assert (f.code, where(f)) == ("OSPEC-Y001", (1, 7, 1, 8))


def test_unknown_tag_is_a_warning_and_the_value_is_text() -> None:
    assert codes(MINIMAL.replace("name: Demo service", "name: !Ref Demo service")) == ["OSPEC-Y010"]


def test_line_breaks_only_yaml_counts_do_not_shift_positions() -> None:
    # U+2028 ends a line for YAML but not for LSP clients, which count \n, \r\n and \r only.
    [f] = findings('name: "a\u2028b"\nid: [unclosed\n')
    assert "(started on line 2)" in f.message
    [key] = findings(MINIMAL.replace("Demo service", '"Demo\u2028service"') + "colour: red\n")
    assert (key.code, where(key)) == ("OSPEC-S002", (8, 0, 8, 6))
