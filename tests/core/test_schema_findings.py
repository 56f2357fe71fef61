"""Schema findings (OSPEC-S…): exact ranges, messages that name the key and what is allowed."""

from __future__ import annotations

from .helpers import MINIMAL, codes, findings, spec, where


def test_minimal_spec_is_clean() -> None:
    assert findings(MINIMAL) == []


def test_wrong_enum_value_is_on_the_value_with_a_suggestion() -> None:
    [f] = findings(spec(outcome_type="web-ap"))
    assert f.code == "OSPEC-S004"
    assert where(f) == (4, 14, 4, 20)
    assert "outcome_type must be one of: web-app, api" in f.message
    assert "did you mean 'web-app'?" in f.message
    assert f.data["suggestion"] == "web-app"


def test_wrong_type_names_expected_and_actual() -> None:
    [f] = findings(spec(name="12345"))
    assert f.code == "OSPEC-S001"
    assert f.message == "name must be text, not integer 12345"
    assert where(f) == (2, 6, 2, 11)


def test_pattern_is_explained_in_words() -> None:
    [f] = findings(spec(id="Demo_Service"))
    assert f.code == "OSPEC-S005"
    assert "kebab-case" in f.message


def test_missing_required_keys_are_one_finding_on_the_first_line() -> None:
    [f] = findings(spec(description=None, outcome_type=None))
    assert f.code == "OSPEC-S003"
    assert f.message == "the spec is missing the required keys: description, outcome_type"
    assert where(f) == (0, 0, 0, 22)


def test_missing_key_in_a_nested_mapping_is_on_the_parent_key() -> None:
    text = MINIMAL.replace("{ path: /health, status: 200 }", "{ path: /health }")
    [f] = findings(text)
    assert f.code == "OSPEC-S003"
    assert f.message == "acceptance.http_endpoints[0] is missing the required key 'status'"
    assert f.span.start.line == 7


def test_unknown_key_is_a_warning_on_the_key_in_the_default_profile() -> None:
    [f] = findings(MINIMAL + "descripton: typo\n")
    assert f.code == "OSPEC-S002"
    assert f.severity.label == "warning"
    assert where(f) == (8, 0, 8, 10)


def test_unknown_key_is_an_error_in_the_strict_profile() -> None:
    [f] = findings(MINIMAL + "deployment: {strategy: canary}\n", profile="strict")
    assert (f.code, f.severity.label) == ("OSPEC-S002", "error")


def test_unknown_key_suggests_the_nearest_free_key() -> None:
    [f] = findings(MINIMAL.replace("status: 200", "stauts: 200, status: 200"))
    assert "unknown key 'stauts'" in f.message
    assert f.data["suggestion"] is None  # status is already present: nothing free is close


def test_integration_fields_are_known_in_the_default_profile_only() -> None:
    text = MINIMAL + "metadata:\n  integrations:\n    slack: {channel: '#dev'}\n"
    assert codes(text) == []
    assert codes(text, profile="strict") == ["OSPEC-S002"]


def test_placeholders_skip_pattern_checks_in_the_default_profile() -> None:
    text = spec(id='"{{service-name}}-api"')
    assert "OSPEC-S005" not in codes(text)
    assert "OSPEC-S005" in codes(text, profile="strict")


def test_number_out_of_range() -> None:
    [f] = findings(MINIMAL.replace("status: 200", "status: 700"))
    assert (f.code, f.message) == (
        "OSPEC-S006",
        "acceptance.http_endpoints[0].status must be at most 599 (got 700)",
    )


def test_too_short_text_gives_the_count() -> None:
    [f] = findings(spec(name="ab"))
    assert (f.code, f.message) == ("OSPEC-S007", "name must have at least 3 characters, it has 2")


def test_empty_acceptance_lists_the_methods() -> None:
    [f] = findings(
        spec(acceptance="{}").replace(
            "  http_endpoints:\n    - { path: /health, status: 200 }\n", ""
        )
    )
    assert f.code == "OSPEC-S007"
    assert "http_endpoints, ux_flows, tests, performance" in f.message


def test_bad_email_format() -> None:
    [f] = findings(MINIMAL + "metadata:\n  maintainers: [{name: Ann, email: not-an-email}]\n")
    assert f.code == "OSPEC-S008"


def test_script_must_be_a_path_or_a_shebang() -> None:
    [f] = findings(MINIMAL + "scripts:\n  setup: run-me.exe\n")
    assert f.code == "OSPEC-S009"
    assert f.message.startswith("scripts.setup: ")


def test_script_of_the_wrong_type_is_a_type_error() -> None:
    [f] = findings(MINIMAL + "scripts:\n  setup: 42\n")
    assert (f.code, f.message) == ("OSPEC-S001", "scripts.setup must be text, not integer 42")


def test_empty_value_is_reported_on_its_key() -> None:
    [f] = findings(spec(name=""))
    assert f.code == "OSPEC-S001"
    assert where(f) == (2, 0, 2, 4)


def test_emoji_before_the_error_counts_as_one_column() -> None:
    [f] = findings(spec(name='"🚀 Rocket"', outcome_type="rocket"))
    assert where(f) == (4, 14, 4, 20)
