"""Server settings from initializationOptions and workspace/configuration (edge).

The wire format is the `ospec` section, e.g.
    {"profile": "strict", "rules": {"OSPEC-R004": "off", "OSPEC-S002": "error"}}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..core import Options

SECTION = "ospec"


@dataclass(frozen=True, slots=True)
class Settings:
    profile: str = "default"
    rules: dict[str, str] = field(default_factory=dict)

    @property
    def options(self) -> Options:
        return Options(profile=self.profile, rules=self.rules)

    @classmethod
    def parse(cls, raw: Any) -> tuple[Settings, str | None]:
        """Settings from a raw value, or the defaults plus one message saying what was wrong."""
        if raw is None:
            return cls(), None
        if isinstance(raw, dict) and isinstance(raw.get(SECTION), dict):
            raw = raw[SECTION]
        try:
            if not isinstance(raw, dict):
                raise ValueError("settings must be an object")
            profile = raw.get("profile", "default")
            rules = raw.get("rules") or {}
            if not isinstance(profile, str) or not isinstance(rules, dict):
                raise ValueError("'profile' must be a string and 'rules' an object")
            settings = cls(
                profile=profile, rules={str(k).upper(): str(v).lower() for k, v in rules.items()}
            )
            settings.options  # noqa: B018 - validates profile, codes and levels
        except ValueError as err:
            return cls(), f"Invalid ospec settings ({err}); using the defaults."
        return settings, None
