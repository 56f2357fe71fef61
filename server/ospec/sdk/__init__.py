"""Python SDK for the OSpec platform API: `Client`, `AsyncClient`, typed models and errors.

Names are loaded on first use, so importing `ospec.sdk.errors` or `ospec.webhooks` does not pull
in httpx.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_ERRORS = (
    "APIError",
    "ArtifactExistsError",
    "AuthenticationError",
    "CircuitOpenError",
    "ConfigurationError",
    "ConflictError",
    "ConnectionError",
    "InsecureURLError",
    "InvalidRequestError",
    "MissingTokenError",
    "NotFoundError",
    "OspecError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "SpecValidationError",
    "TimeoutError",
    "WaitTimeoutError",
    "WebhookError",
    "WebhookPayloadError",
    "WebhookSignatureError",
)
_MODELS = (
    "AgentAssignment",
    "AgentStatus",
    "ApiKey",
    "Artifact",
    "CreatedProject",
    "DeliveryAttempt",
    "DeliveryPage",
    "Finding",
    "Project",
    "ProjectPage",
    "Webhook",
    "WebhookDelivery",
    "WebhookEvent",
)
_WHERE: dict[str, str] = {
    "Client": "client",
    "AsyncClient": "client",
    "ClientConfig": "config",
    "Timeouts": "config",
    "load_config": "config",
    "RetryPolicy": "retry",
    "BreakerSettings": "breaker",
    **dict.fromkeys(_ERRORS, "errors"),
    **dict.fromkeys(_MODELS, "models"),
}
__all__ = sorted(_WHERE)

if TYPE_CHECKING:  # what __getattr__ loads, for type checkers
    from .breaker import BreakerSettings  # noqa: F401
    from .client import AsyncClient, Client  # noqa: F401
    from .config import ClientConfig, Timeouts, load_config  # noqa: F401
    from .errors import *  # noqa: F403
    from .models import *  # noqa: F403
    from .retry import RetryPolicy  # noqa: F401


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
