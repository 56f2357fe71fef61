"""One readable sentence per deploy failure, naming the setting to change (edge, pure).

The SDK builds its messages from the API's error bodies, never from request headers, so
nothing here can contain the token; we add only where the URL and the token came from.
"""

from __future__ import annotations

from ..sdk.errors import (
    APIError,
    AuthenticationError,
    CircuitOpenError,
    ConfigurationError,
    ConnectionError,
    InsecureURLError,
    MissingTokenError,
    OspecError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TimeoutError,
)

TOKEN_HINT = (
    "Set OSPEC_API_TOKEN in the environment the editor starts the language server with "
    "(or the ospec.apiToken setting, which is less safe)."
)
URL_HINT = "Check the ospec.apiUrl setting (or OSPEC_API_URL)."

_SETTING = {"argument": "the ospec.apiToken setting"}
_URL_SETTING = {"argument": "the ospec.apiUrl setting"}


def token_source(sources: dict[str, str]) -> str:
    """Where the token came from, in the user's terms ("the ospec.apiToken setting", ...)."""
    raw = sources.get("api_token", "")
    return _SETTING.get(raw) or raw.removeprefix("environment ") or "an unknown source"


def url_source(sources: dict[str, str]) -> str:
    raw = sources.get("api_url", "")
    return _URL_SETTING.get(raw) or raw.removeprefix("environment ") or "the default"


def explain(err: OspecError, api_url: str = "", sources: dict[str, str] | None = None) -> str:
    """The message for a failed deploy or status call (SpecValidationError is handled apart)."""
    sources = sources or {}
    if isinstance(err, MissingTokenError):
        return f"Cannot deploy: no OSpec API token. {TOKEN_HINT}"
    if isinstance(err, InsecureURLError):
        return f"Cannot deploy: {err.message.rstrip('.')}. {URL_HINT}"
    if isinstance(err, ConfigurationError):
        hint = TOKEN_HINT if "token" in err.message.lower() else URL_HINT
        return f"Cannot deploy: {err.message.rstrip('.')}. {hint}"
    if isinstance(err, AuthenticationError):
        return (
            f"The OSpec API at {api_url} rejected the API token from {token_source(sources)} "
            f"({err.message.rstrip('.')}). {TOKEN_HINT}"
        )
    if isinstance(err, PermissionDeniedError):
        scope = f"'{err.required_scope}'" if err.required_scope else "a needed scope"
        return (
            f"The API token from {token_source(sources)} lacks {scope}; deploying needs a key "
            f"with projects:create and projects:read. {TOKEN_HINT}"
        )
    if isinstance(err, (ConnectionError, TimeoutError, CircuitOpenError)):
        return (
            f"Cannot reach the OSpec API at {api_url} (from {url_source(sources)}): "
            f"{err.message.rstrip('.')}. {URL_HINT}"
        )
    if isinstance(err, RateLimitError):
        wait = f" in {err.retry_after:g} s" if err.retry_after else " later"
        return f"The OSpec API is limiting requests; try again{wait}."
    if isinstance(err, ServerError):
        return f"The OSpec API answered HTTP {err.status_code}: {err.message}; try again later."
    if isinstance(err, APIError):
        return f"The OSpec API refused the request: {err}"
    return f"Deploy failed: {err.message}"
