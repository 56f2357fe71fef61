"""Quick fixes: applying each fix removes the finding it is attached to."""

from __future__ import annotations

from ospec.checker import analyzer
from ospec.core import Options
from ospec.core.fixes import Edit, fixes_for

from .helpers import MINIMAL, spec


def apply(text: str, edits: list[Edit]) -> str:
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)

    def offset(line: int, col: int) -> int:
        return min(starts[line] + col, len(text)) if line < len(lines) else len(text)

    for edit in sorted(edits, key=lambda e: (e.span.start, e.span.end), reverse=True):
        lo = offset(edit.span.start.line, edit.span.start.col)
        hi = offset(edit.span.end.line, edit.span.end.col)
        text = text[:lo] + edit.text + text[hi:]
    return text


def fix(
    text: str, code: str, title_part: str = "", filename: str | None = None
) -> tuple[str, list[str]]:
    """Apply the first fix for the first `code` finding; return the new text and its codes."""
    a = analyzer()
    analysis = a.analyze(text, filename=filename)
    finding = next(f for f in analysis.findings if f.code == code)
    candidates = fixes_for(analysis.doc, finding, a.schemas["default"], filename)
    chosen = next(f for f in candidates if title_part in f.title)
    new = apply(text, chosen.edits)
    return new, [f.code for f in a.analyze(new, filename=filename, options=Options()).findings]


def test_enum_value_is_replaced_by_the_suggestion() -> None:
    new, codes = fix(spec(outcome_type="web-ap"), "OSPEC-S004", "Change to 'web-app'")
    assert "outcome_type: web-app\n" in new and codes == []


def test_quoted_enum_value_keeps_its_quotes() -> None:
    new, codes = fix(spec(outcome_type='"ap"'), "OSPEC-S004")
    assert 'outcome_type: "api"' in new and codes == []


def test_unknown_key_is_renamed_to_the_nearest_key() -> None:
    new, codes = fix(MINIMAL + "guardrails:\n  lnt: true\n", "OSPEC-S002", "Rename")
    assert "  lint: true" in new and codes == []


def test_unknown_key_can_be_removed_with_its_value() -> None:
    new, codes = fix(
        MINIMAL + "extra:\n  nested: 1\n  more: 2\nsecrets: {}\n", "OSPEC-S002", "Remove"
    )
    assert "extra" not in new and "secrets: {}" in new and codes == []


def test_missing_required_keys_are_added_with_valid_values() -> None:
    new, codes = fix(spec(description=None, outcome_type=None), "OSPEC-S003")
    assert codes == []
    assert "description:" in new and "outcome_type:" in new


def test_missing_nested_key_is_added_at_the_right_indent() -> None:
    text = MINIMAL + "tasks:\n  - id: a\n    description: no title\n"
    new, codes = fix(text, "OSPEC-S003")
    assert "    title: " in new and codes == []


def test_short_ospec_version_gets_a_patch_number() -> None:
    new, codes = fix(spec(ospec_version='"1.0"'), "OSPEC-S005")
    assert 'ospec_version: "1.0.0"' in new and codes == []


def test_id_is_made_kebab_case() -> None:
    new, codes = fix(spec(id="My_Service"), "OSPEC-S005")
    assert "id: my-service" in new and codes == []


def test_id_is_set_to_the_file_name() -> None:
    new, codes = fix(MINIMAL, "OSPEC-R004", filename="billing-api.ospec.yaml")
    assert "id: billing-api" in new and codes == []


def test_undeclared_secret_is_added_to_secrets_required() -> None:
    text = (
        MINIMAL + 'secrets:\n  required:\n    - DB_URL\nprompts:\n  p: "{{secrets.API_KEY}}.md"\n'
    )
    new, codes = fix(text, "OSPEC-R008")
    assert "    - DB_URL\n    - API_KEY\n" in new and codes == []


def test_undeclared_secret_creates_the_secrets_section() -> None:
    new, codes = fix(MINIMAL + 'prompts:\n  p: "{{secrets.API_KEY}}.md"\n', "OSPEC-R008")
    assert codes == [] and "secrets:\n  required:\n    - API_KEY" in new


def test_unknown_dependency_is_replaced() -> None:
    text = (
        MINIMAL
        + "tasks:\n  - id: setup\n    title: Setup\n  - id: api\n    title: API work\n    dependencies: [setpu]\n"
    )
    new, codes = fix(text, "OSPEC-R001")
    assert "[setup]" in new and codes == []


def test_every_finding_can_be_suppressed_on_its_line() -> None:
    text = spec(outcome_type="web-ap")
    new, codes = fix(text, "OSPEC-S004", "Disable OSPEC-S004")
    assert "# ospec-disable-next-line OSPEC-S004\noutcome_type: web-ap" in new and codes == []


def test_missing_prompt_file_offers_to_create_it() -> None:
    a = analyzer()
    analysis = a.analyze(
        MINIMAL + "prompts:\n  planner: prompts/planner.md\n", file_exists=lambda p: False
    )
    [finding] = analysis.findings
    [create, _] = fixes_for(analysis.doc, finding, a.schemas["default"], None)
    assert (create.create_file, create.file_text) == ("prompts/planner.md", "# Planner\n\n")
