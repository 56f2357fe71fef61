"""In-file directives: the profile modeline and suppressions by code."""

from __future__ import annotations

from .helpers import MINIMAL, codes, findings

TYPO = MINIMAL + "descripton: typo\n"


def test_modeline_selects_the_strict_profile() -> None:
    [f] = findings("# ospec: profile=strict\n" + TYPO)
    assert (f.code, f.severity.label) == ("OSPEC-S002", "error")


def test_unknown_modeline_setting_is_reported() -> None:
    assert codes("# ospec: profle=strict\n" + MINIMAL) == ["OSPEC-Y011"]


def test_disable_next_line_silences_that_code_on_that_line() -> None:
    text = MINIMAL + "# ospec-disable-next-line OSPEC-S002\ndescripton: typo\n"
    assert codes(text) == []


def test_disable_next_line_keeps_other_codes() -> None:
    text = MINIMAL + "# ospec-disable-next-line OSPEC-R001\ndescripton: typo\n"
    assert codes(text) == ["OSPEC-S002"]


def test_file_level_disable() -> None:
    assert codes("# ospec-disable OSPEC-S002\n" + TYPO) == []


def test_rule_settings_turn_codes_off_or_change_their_level() -> None:
    assert codes(TYPO, rules={"OSPEC-S002": "off"}) == []

    [f] = findings(TYPO, rules={"OSPEC-S002": "error"})
    assert f.severity.label == "error"
