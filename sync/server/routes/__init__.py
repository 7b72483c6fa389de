"""The HTTP API, one ``APIRouter`` per resource; ``sync.server.app`` includes them in this order
(the order of the OpenAPI document's paths)."""

from __future__ import annotations

from fastapi import APIRouter

from sync.server.routes import (
    audit,
    checksums,
    conflicts,
    devices,
    enrollment,
    files,
    health,
    me,
    phones,
    pull,
    push,
)

ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    enrollment.router,
    me.router,
    push.router,
    pull.router,
    checksums.router,
    conflicts.router,
    devices.router,
    phones.router,
    audit.router,
    files.router,
)
