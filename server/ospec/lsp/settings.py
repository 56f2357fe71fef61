"""Server settings from initializationOptions and workspace/configuration (edge).

The wire format is the `ospec` section, e.g.
    {"profile": "strict", "rules": {"OSPEC-R004": "off", "OSPEC-S002": "error"},
     "apiUrl": "http://127.0.0.1:8765", "deploy": {"confirm": true}}
`apiToken` is accepted too, but the server's OSPEC_API_TOKEN environment variable is safer:
settings files get shared and committed.
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
    # Deploying: None means the SDK's own precedence (environment, config files, default).
    api_url: str | None = None
    api_token: str | None = field(default=None, repr=False)
    deploy_confirm: bool = False

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
                profile=profile,
                rules={str(k).upper(): str(v).lower() for k, v in rules.items()},
                **_deploy_settings(raw),
            )
            settings.options  # noqa: B018 - validates profile, codes and levels
        except ValueError as err:
            return cls(), f"Invalid ospec settings ({err}); using the defaults."
        return settings, None


def _deploy_settings(raw: dict[str, Any]) -> dict[str, Any]:
    """apiUrl, apiToken and deploy.confirm (nested, or dotted as some clients send them)."""
    deploy = raw.get("deploy")
    confirm = deploy.get("confirm") if isinstance(deploy, dict) else raw.get("deploy.confirm")
    url, token = raw.get("apiUrl"), raw.get("apiToken")
    if not isinstance(url, (str, type(None))) or not isinstance(token, (str, type(None))):
        raise ValueError("'apiUrl' and 'apiToken' must be strings")  # never echo the value
    if not isinstance(confirm, (bool, type(None))):
        raise ValueError("'deploy.confirm' must be true or false")
    return {
        "api_url": (url or "").strip() or None,
        "api_token": (token or "").strip() or None,
        "deploy_confirm": bool(confirm),
    }
