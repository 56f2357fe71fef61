"""Typed SDK errors; each maps one kind of failure a caller may want to handle differently.

Messages are built from the API's JSON error body and never from request headers, so the API
token cannot leak into an exception or a traceback.
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Finding, Project


class OspecError(Exception):
    """Base class of every error the SDK raises."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigurationError(OspecError):
    """The client cannot be set up: no token, a bad URL, or an invalid config file."""


class MissingTokenError(ConfigurationError):
    """No API token in the arguments, the environment or a config file."""


class InsecureURLError(ConfigurationError):
    """A non-loopback http:// URL, refused unless insecure HTTP was explicitly allowed."""


class APIError(OspecError):
    """The API answered with an error status; `code` is its stable machine-readable code."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        code: str = "http_error",
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.details = details or {}

    def __str__(self) -> str:
        return f"{self.message} (HTTP {self.status_code}, {self.code})"


class InvalidRequestError(APIError):
    """400, 413, 415 or 422: the request itself is wrong and retrying cannot help."""


class SpecValidationError(InvalidRequestError):
    """422 for a spec with error-level findings; `findings` carry 1-based line and column."""

    def __init__(self, message: str, *, findings: list[Finding], **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.findings = findings

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]


class AuthenticationError(APIError):
    """401: the token is missing, invalid, revoked or expired."""


class PermissionDeniedError(APIError):
    """403: the token is valid but lacks `required_scope`."""

    def __init__(
        self,
        message: str,
        *,
        required_scope: str | None = None,
        granted_scopes: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.required_scope = required_scope
        self.granted_scopes = granted_scopes or []

    def __str__(self) -> str:
        if not self.required_scope:
            return super().__str__()
        granted = ", ".join(self.granted_scopes) or "none"
        return (
            f"missing scope '{self.required_scope}': {self.message} "
            f"(the key has: {granted}; HTTP 403)"
        )


class NotFoundError(APIError):
    """404: no such project, agent, artifact, webhook or route."""


class ConflictError(APIError):
    """409: e.g. an Idempotency-Key reused with a different body."""


class RateLimitError(APIError):
    """429 after the retries ran out (or a Retry-After longer than the client will wait)."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(APIError):
    """5xx after the retries ran out."""


# ConnectionError and TimeoutError shadow the builtins on purpose and subclass them, so
# `except ConnectionError` works with or without importing ours.
class ConnectionError(OspecError, builtins.ConnectionError):
    """The server could not be reached, or dropped the connection, after the retries ran out."""


class TimeoutError(OspecError, builtins.TimeoutError):
    """A request took longer than the configured connection or read timeout."""


class WaitTimeoutError(TimeoutError):
    """`watch_project`/`wait_for_completion` passed its deadline; `project` is the last state."""

    def __init__(self, message: str, *, project: Project | None = None) -> None:
        super().__init__(message)
        self.project = project


class CircuitOpenError(OspecError):
    """The circuit breaker is open after repeated failures; calls fail fast until it half-opens."""

    def __init__(self, message: str, *, retry_in: float) -> None:
        super().__init__(message)
        self.retry_in = retry_in


class ArtifactExistsError(OspecError, builtins.FileExistsError):
    """The download target exists and `overwrite=True` was not given."""

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(message)
        self.path = path


class WebhookError(OspecError):
    """A received webhook that must not be trusted or cannot be read."""


class WebhookSignatureError(WebhookError):
    """A webhook payload whose signature is missing or does not match the secret."""


class WebhookPayloadError(WebhookError):
    """A webhook body that is not an OSpec event (not JSON, no `event`, or too old)."""
