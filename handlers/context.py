"""What handlers are given: the outbound context and the configured command name."""

from __future__ import annotations

from dataclasses import dataclass

from delivery.context import Outbound


@dataclass(frozen=True)
class HandlerContext:
    """Dependencies of every handler, handed over once at registration."""

    outbound: Outbound
    command: str = "/pulse"
