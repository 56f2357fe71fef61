"""Semantic rules (OSPEC-R…): task graph, file references, versions and secrets."""

from __future__ import annotations

from .helpers import MINIMAL, codes, findings, spec, where

TASKS = (
    MINIMAL
    + """\
tasks:
  - id: setup
    title: Scaffold the project
  - id: api
    title: Build the API
    dependencies: [setup]
"""
)


def test_known_dependencies_are_fine() -> None:
    assert codes(TASKS) == []


def test_unknown_dependency_is_an_error_on_the_entry_with_a_suggestion() -> None:
    [f] = findings(TASKS.replace("[setup]", "[setpu]"))
    assert f.code == "OSPEC-R001"
    assert f.message == "task 'api' depends on unknown task 'setpu'; did you mean 'setup'?"
    assert where(f) == (13, 19, 13, 24)


def test_duplicate_task_id_points_at_the_second_one() -> None:
    [f] = findings(TASKS.replace("id: api", "id: setup").replace("[setup]", "[]"))
    assert f.code == "OSPEC-R002"
    assert f.span.start.line == 11
    assert "already used by tasks[0] on line 10" in f.message


def test_cycle_is_reported_once_and_named() -> None:
    text = TASKS.replace(
        "title: Scaffold the project", "title: Scaffold the project\n    dependencies: [api]"
    )
    [f] = findings(text)
    assert f.code == "OSPEC-R003"
    assert f.message == "task dependencies form a cycle: setup → api → setup"


def test_self_dependency_is_a_cycle() -> None:
    assert codes(TASKS.replace("[setup]", "[api]")) == ["OSPEC-R003"]


def test_id_should_match_the_file_name() -> None:
    [f] = findings(MINIMAL, filename="other.ospec.yaml")
    assert f.code == "OSPEC-R004"
    assert f.severity.label == "warning"
    assert where(f) == (1, 4, 1, 8)


def test_id_matches_every_spec_suffix() -> None:
    for name in ("demo.ospec.yaml", "demo.ospec.yml", "demo.ospec"):
        assert codes(MINIMAL, filename=name) == []


def test_acceptance_without_any_method_is_a_warning() -> None:
    text = spec(acceptance="").replace(
        "  http_endpoints:\n    - { path: /health, status: 200 }\n", "  commands: []\n"
    )
    assert "OSPEC-R005" in codes(text)


def test_missing_prompt_file_is_a_warning() -> None:
    text = MINIMAL + "prompts:\n  planner: prompts/planner.md\n  reviewer: prompts/reviewer.md\n"
    [f] = findings(text, files={"prompts/planner.md"})
    assert (f.code, f.span.start.line) == ("OSPEC-R006", 10)


def test_embedded_scripts_are_not_file_references() -> None:
    text = MINIMAL + "scripts:\n  deploy: |\n    #!/bin/bash\n    fly deploy\n"
    assert codes(text, files=set()) == []


def test_major_versions_should_agree() -> None:
    [f] = findings(MINIMAL + "metadata:\n  version: 2.1.0\n")
    assert (f.code, where(f)) == ("OSPEC-R007", (9, 11, 9, 16))


def test_zero_major_project_version_is_fine() -> None:
    assert codes(MINIMAL + "metadata:\n  version: 0.3.0\n") == []


def test_unsupported_spec_major_is_an_error() -> None:
    [f] = findings(spec(ospec_version='"2.0.0"'))
    assert (f.code, f.severity.label) == ("OSPEC-R009", "error")


def test_undeclared_secret_is_underlined_inside_the_string() -> None:
    text = (
        MINIMAL + 'secrets:\n  required: [DB_URL]\nprompts:\n  planner: "{{secrets.API_KEY}}.md"\n'
    )
    [f] = findings(text)
    assert f.code == "OSPEC-R008"
    assert where(f) == (11, 12, 11, 31)


def test_declared_secret_is_fine() -> None:
    text = (
        MINIMAL
        + 'secrets:\n  optional: [API_KEY]\nprompts:\n  planner: "{{ secrets.API_KEY }}.md"\n'
    )
    assert codes(text) == []
