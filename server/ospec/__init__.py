"""ospec: editor tooling, checker, SDK and local sandbox for OSpec documents."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

# The SDK is loaded on first use, so `import ospec` stays cheap for the CLI and the language server.
_SDK_EXPORTS = frozenset(
    {
        "Client",
        "AsyncClient",
        "OspecError",
        "APIError",
        "ConfigurationError",
        "InsecureURLError",
        "MissingTokenError",
        "InvalidRequestError",
        "SpecValidationError",
        "AuthenticationError",
        "PermissionDeniedError",
        "NotFoundError",
        "ConflictError",
        "RateLimitError",
        "ServerError",
        "ConnectionError",
        "TimeoutError",
        "WaitTimeoutError",
        "CircuitOpenError",
        "ArtifactExistsError",
        "WebhookError",
        "WebhookSignatureError",
        "WebhookPayloadError",
        # settings and results, so `ospec.RetryPolicy(...)` works without importing ospec.sdk
        "ClientConfig",
        "RetryPolicy",
        "Timeouts",
        "BreakerSettings",
        "Project",
        "CreatedProject",
        "Artifact",
    }
)


def __getattr__(name: str) -> Any:
    if name in _SDK_EXPORTS:
        from . import sdk

        return getattr(sdk, name)
    raise AttributeError(f"module 'ospec' has no attribute {name!r}")
