"""Client settings: argument > environment > project config file > user config file > defaults.

Config files hold `api_url` and the `api_client` block (schema/ospec-config.schema.json); they
hold the token only if the user puts it there. The token is wrapped in `Secret` as soon as it is
read, so no repr, log line or error message can show it.
"""

from __future__ import annotations

import ipaddress
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .breaker import BreakerSettings
from .errors import ConfigurationError, InsecureURLError
from .retry import RetryPolicy

log = logging.getLogger("ospec.sdk")

DEFAULT_API_URL = "https://api.ospec.dev"
ENV_TOKEN = "OSPEC_API_TOKEN"
ENV_URL = "OSPEC_API_URL"
ENV_INSECURE = "OSPEC_ALLOW_INSECURE_HTTP"
PROJECT_CONFIG = Path(".ospec") / "config.yaml"
_TRUE = {"1", "true", "yes", "on"}


class Secret:
    """A string that never shows itself: repr and str are masked; `reveal()` gets the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> Any:
        raise TypeError("a Secret cannot be pickled")


@dataclass(frozen=True)
class Timeouts:
    """The `api_client.timeouts` block."""

    connection_timeout_ms: int = 5000
    read_timeout_ms: int = 30000

    def __post_init__(self) -> None:
        if self.connection_timeout_ms <= 0 or self.read_timeout_ms <= 0:
            raise ValueError("timeouts must be greater than 0")


@dataclass(frozen=True)
class ClientConfig:
    """Resolved settings; `sources` says where api_url and the token came from (for messages)."""

    api_url: str = DEFAULT_API_URL
    api_token: Secret | None = None
    retries: RetryPolicy = field(default_factory=RetryPolicy)
    timeouts: Timeouts = field(default_factory=Timeouts)
    circuit_breaker: BreakerSettings = field(default_factory=BreakerSettings)
    allow_insecure_http: bool = False
    sources: dict[str, str] = field(default_factory=dict, compare=False)


def user_config_path(env: Mapping[str, str] | None = None) -> Path:
    """`$XDG_CONFIG_HOME/ospec/config.yaml`, else `~/.config/ospec/config.yaml` (every OS)."""
    env = os.environ if env is None else env
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "ospec" / "config.yaml"


def project_config_path(cwd: Path | None = None) -> Path | None:
    """The nearest `.ospec/config.yaml` in cwd or a parent folder."""
    start = (cwd or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        candidate = folder / PROJECT_CONFIG
        if candidate.is_file():
            return candidate
    return None


def load_config(
    *,
    api_url: str | None = None,
    api_token: str | Secret | None = None,
    allow_insecure_http: bool | None = None,
    retries: RetryPolicy | None = None,
    timeouts: Timeouts | None = None,
    circuit_breaker: BreakerSettings | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    use_files: bool = True,
) -> ClientConfig:
    """Resolve every setting by precedence and validate the result."""
    env = os.environ if env is None else env
    files: list[Path] = []
    if use_files:
        user = user_config_path(env)
        files = [p for p in (user, project_config_path(cwd)) if p is not None and p.is_file()]
    merged: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for path in files:
        data = read_config_file(path)
        for key in ("api_url", "api_token", "allow_insecure_http"):
            if key in data:
                origin[key] = str(path)
        if "api_token" in data and path.name == "config.yaml" and path.parent.name == ".ospec":
            log.warning(
                "%s holds api_token; a project file is easily committed, prefer %s",
                path,
                ENV_TOKEN,
            )
        merged = _merge(merged, data)
    block = merged.get("api_client", {})

    url, url_from = _pick(
        (api_url, "argument"),
        (env.get(ENV_URL), f"environment {ENV_URL}"),
        (merged.get("api_url"), origin.get("api_url")),
        (DEFAULT_API_URL, "default"),
    )
    token, token_from = _pick(
        (api_token, "argument"),
        (env.get(ENV_TOKEN), f"environment {ENV_TOKEN}"),
        (merged.get("api_token"), origin.get("api_token")),
    )
    insecure_env = env.get(ENV_INSECURE)
    insecure = (
        allow_insecure_http
        if allow_insecure_http is not None
        else insecure_env.strip().lower() in _TRUE
        if insecure_env
        else bool(merged.get("allow_insecure_http", False))
    )
    try:
        config = ClientConfig(
            api_url=check_api_url(str(url), allow_insecure_http=insecure),
            api_token=_secret(token),
            retries=retries or RetryPolicy(**block.get("retries", {})),
            timeouts=timeouts or Timeouts(**block.get("timeouts", {})),
            circuit_breaker=circuit_breaker or BreakerSettings(**block.get("circuit_breaker", {})),
            allow_insecure_http=insecure,
            sources={"api_url": url_from or "", "api_token": token_from or ""},
        )
    except (TypeError, ValueError) as err:
        raise ConfigurationError(f"invalid client settings: {err}") from None
    return config


def read_config_file(path: Path) -> dict[str, Any]:
    """Load and validate one config file; errors name the file and the key, never a value."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigurationError(f"{path}: cannot read: {err}") from None
    except YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ConfigurationError(f"{path}: not valid YAML{where}") from None
    if data is None:
        return {}
    problems = validate_config(data)
    if problems:
        raise ConfigurationError(f"{path}: " + "; ".join(problems))
    result: dict[str, Any] = data
    return result


def validate_config(data: object) -> list[str]:
    """Schema problems as 'key.path: message'; messages about api_token omit its value."""
    import jsonschema

    from ..resources import CONFIG_SCHEMA, load_schema

    validator = jsonschema.Draft202012Validator(load_schema(CONFIG_SCHEMA))
    problems = []
    for err in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
        where = ".".join(str(p) for p in err.absolute_path) or "(top level)"
        message = "invalid value (hidden)" if "api_token" in where else err.message
        problems.append(f"{where}: {message}")
    return problems


def check_api_url(url: str, *, allow_insecure_http: bool = False) -> str:
    """The normalised root URL, or ConfigurationError for a URL the token must not be sent to."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise ConfigurationError("api_url is not a valid URL") from None
    if parts.username or parts.password:
        raise ConfigurationError("api_url must not contain credentials; use the API token")
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(f"api_url must be an absolute https:// URL, got {url!r}")
    if parts.query or parts.fragment:
        raise ConfigurationError("api_url must not have a query or fragment")
    if scheme == "http" and not allow_insecure_http and not is_loopback(parts.hostname):
        raise InsecureURLError(
            f"refusing to send the API token over plain HTTP to {parts.hostname}; use https://, "
            f"or allow it explicitly (allow_insecure_http=True or {ENV_INSECURE}=1)"
        )
    path = parts.path.rstrip("/")
    path = path.removesuffix("/api/v1")  # accept the API root as well as the server root
    return f"{scheme}://{parts.netloc}{path}"


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _secret(token: object) -> Secret | None:
    if token is None or token == "":
        return None
    if isinstance(token, Secret):
        token = token.reveal()
    if not isinstance(token, str):
        raise ConfigurationError("the API token must be a string")
    token = token.strip()
    if not token or any(not 0x21 <= ord(c) <= 0x7E for c in token):
        # Checked here so a bad token fails clearly instead of inside the HTTP library.
        raise ConfigurationError("the API token must be visible ASCII characters without spaces")
    return Secret(token)


def _pick(*candidates: tuple[Any, str | None]) -> tuple[Any, str | None]:
    for value, source in candidates:
        if value is not None and value != "":
            return value, source
    return None, None


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out
