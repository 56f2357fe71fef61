"""Asyncio helpers shared by the background loops (edge)."""

from __future__ import annotations

import asyncio


async def wait_event(event: asyncio.Event, timeout: float) -> None:
    """Wait until `event` is set or `timeout` passes; always yields to the loop.

    Not `asyncio.wait_for`: on Python < 3.12 it can swallow a cancellation that races with
    the event, which would leave a background loop running through shutdown.
    """
    if timeout <= 0 or event.is_set():
        await asyncio.sleep(0)
        return
    waiter = asyncio.ensure_future(event.wait())
    try:
        await asyncio.wait({waiter}, timeout=timeout)
    finally:
        waiter.cancel()
