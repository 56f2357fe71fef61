"""Settings of one sandbox process, and shared helpers for ids and timestamps (edge)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from ospec.sandbox.faults import FaultConfig


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Everything the CLI can configure; defaults suit an interactive try-out."""

    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 8765
    phase_seconds: float = 10.0
    max_body_bytes: int = 1024 * 1024
    rate_limit: float = 20.0  # requests per second per key; 0 disables
    rate_burst: int = 40
    webhook_max_attempts: int = 8
    webhook_backoff: float = 1.0
    webhook_max_backoff: float = 300.0
    webhook_timeout: float = 5.0
    webhook_allow_hosts: tuple[str, ...] = ()  # empty: any host
    faults: FaultConfig = field(default_factory=FaultConfig)

    @property
    def db_path(self) -> Path:
        return self.data_dir / "sandbox.sqlite3"

    @property
    def checkpoint_seconds(self) -> float:
        # How much in-phase progress a kill -9 may lose; phase transitions are never lost.
        return min(1.0, max(0.02, self.phase_seconds / 10))


def new_id(prefix: str, nbytes: int = 8) -> str:
    return f"{prefix}_{secrets.token_hex(nbytes)}"


def iso(ts: float | None) -> str | None:
    """Epoch seconds as RFC 3339 UTC with milliseconds, e.g. 2025-01-01T00:00:00.000Z."""
    if ts is None:
        return None
    stamp = datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="milliseconds")
    return stamp.replace("+00:00", "Z")


def parse_iso(text: str) -> float:
    """RFC 3339 timestamp to epoch seconds; a timestamp without offset is taken as UTC."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"  # fromisoformat accepts Z only from 3.11 on
    stamp = datetime.fromisoformat(value)
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=timezone.utc)
    return stamp.timestamp()
