"""``GET /metrics``: the service in Prometheus' text format (prometheus-client).

Two kinds of figures:

- What a process saw, counted as it happens: requests by route and status, their latency
  (histograms), records pushed (by result) and pulled. With several worker processes
  (``teren-sync serve --workers N``) these live in ``PROMETHEUS_MULTIPROC_DIR`` (set by ``serve``)
  and every process answers ``/metrics`` with the sum over all of them. Separate ``serve``
  processes (e.g. one systemd unit per port) are scraped one by one, as Prometheus expects.
- What the database holds, read when scraped (``DatabaseCollector``): the change sequence, devices
  by state, each active device's last contact, erasures that some device has still to receive.
  Any process gives the same values. Ids only: no names of people or devices.

``/metrics`` is left out of the OpenAPI document; ``metrics_token`` (settings) puts it behind a
bearer token, and the deployment's Caddyfile does not forward it from outside.
"""

from __future__ import annotations

import hmac
import logging
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from sync.protocol import ErrorCode
from sync.server import tables as t
from sync.server.accounts import PROGRAM_ROLES
from sync.server.db import Database
from sync.server.errors import ApiError
from sync.server.phones import STALL_AFTER

log = logging.getLogger(__name__)

#: Seconds; from a quick ``/health`` to a first pull of a large program.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

REQUESTS = Counter(
    "teren_sync_http_requests", "HTTP requests answered", ["method", "route", "status"]
)
LATENCY = Histogram(
    "teren_sync_http_request_duration_seconds",
    "Time to answer an HTTP request, body included",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)
PUSHED = Counter("teren_sync_pushed_records", "Records pushed by devices, by result", ["result"])
PULLED = Counter("teren_sync_pulled_records", "Records sent to devices in pull pages")
#: The file lane (``routes.files``): bytes received in uploads and sent in downloads, files stored.
FILE_BYTES = Counter("teren_sync_file_bytes", "File bytes received and sent, by direction", ["direction"])
FILES_STORED = Counter("teren_sync_files_stored", "Uploads completed and checked against their SHA-256")


def count_push(answer: dict[str, Any], changes: int) -> None:
    """Count a push's ``changes`` by their result in ``answer`` (a replayed batch counts as such)."""
    if answer.get("replayed"):
        PUSHED.labels("replayed").inc(changes)
        return
    merged = rejected = 0
    for result in answer["results"]:
        status = result["status"]
        merged += status == "merged"
        rejected += status == "rejected"
    if merged:
        PUSHED.labels("merged").inc(merged)
    if rejected:
        PUSHED.labels("rejected").inc(rejected)
    if changes - merged - rejected:
        PUSHED.labels("applied").inc(changes - merged - rejected)


class DatabaseCollector(Collector):
    """Gauges read from the database at each scrape (a few small queries)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily("teren_sync_database_up", "1 when the database answered this scrape")
        try:
            families = self._read()
        except Exception:
            log.exception("metrics: the database did not answer")
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _read(self) -> list[GaugeMetricFamily]:
        with self.db.read() as conn:
            seq = conn.execute(sa.select(t.counter.c.value).where(t.counter.c.name == "change")).scalar_one()
            active = t.device.c.revoked_at.is_(None)
            states = conn.execute(sa.select(active, sa.func.count()).group_by(active)).all()
            seen = conn.execute(
                sa.select(t.device.c.id, t.account.c.team_id, t.device.c.last_seen_at)
                .join(t.account, t.account.c.id == t.device.c.account_id)
                .where(t.device.c.revoked_at.is_(None) & t.device.c.last_seen_at.is_not(None))
            ).all()
            pending = conn.execute(_pending_erasures()).scalar_one()
            stalled = conn.execute(_stalled_phones()).scalar_one()
        change = GaugeMetricFamily("teren_sync_change_seq", "The service's change sequence (records written)")
        change.add_metric([], float(seq))
        devices = GaugeMetricFamily("teren_sync_devices", "Enrolled devices by state", labels=["state"])
        counts = {bool(active): count for active, count in states}
        devices.add_metric(["active"], counts.get(True, 0))
        devices.add_metric(["revoked"], counts.get(False, 0))
        last_seen = GaugeMetricFamily(
            "teren_sync_device_last_seen_timestamp_seconds",
            "When an active device last pulled (Unix time; at most PULL_MARK_SECONDS late)",
            labels=["device", "team"],
        )
        for device_id, team_id, at in seen:
            last_seen.add_metric([device_id, team_id or ""], at.timestamp())
        erasures = GaugeMetricFamily(
            "teren_sync_pending_erasures",
            "Erased people whose erasure some active device in their scope has not pulled yet",
        )
        erasures.add_metric([], pending)
        queues = GaugeMetricFamily(
            "teren_sync_stalled_phones",
            "Active phones whose oldest unsent change waits longer than a day (as they last reported)",
        )
        queues.add_metric([], stalled)
        return [change, devices, last_seen, erasures, queues]


def _stalled_phones() -> sa.Select[Any]:
    """Active phones whose reported oldest unsent change is older than ``phones.STALL_AFTER``."""
    d, s = t.device, t.device_state
    since = datetime.now(UTC) - STALL_AFTER
    return (
        sa.select(sa.func.count())
        .select_from(s.join(d, d.c.id == s.c.device_id))
        .where(d.c.revoked_at.is_(None) & (s.c.pending > 0) & (s.c.oldest_pending_at < since))
    )


def _pending_erasures() -> sa.Select[Any]:
    """Erased contacts that an active device of their program, program-wide or of their team,
    has not pulled yet (its pull mark is below the erasure's seq)."""
    r, d, a = t.record, t.device, t.account
    behind = (
        sa.select(d.c.id)
        .join(a, a.c.id == d.c.account_id)
        .where(
            d.c.revoked_at.is_(None)
            & (a.c.program_id == r.c.program_id)
            & (a.c.role.in_(sorted(PROGRAM_ROLES)) | (a.c.team_id == r.c.team_id))
            & (d.c.last_pull_seq < r.c.seq)
        )
    )
    erased = t.erased_contact.join(r, (r.c.record_type == "contact") & (r.c.id == t.erased_contact.c.id))
    return sa.select(sa.func.count()).select_from(erased).where(behind.exists())


def exposition(db: Database) -> bytes:
    """The metrics of this process, or of all worker processes, and the database's."""
    own = CollectorRegistry(auto_describe=False)
    own.register(DatabaseCollector(db))
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        workers = CollectorRegistry()
        MultiProcessCollector(workers)
        return generate_latest(workers) + generate_latest(own)
    return generate_latest(REGISTRY) + generate_latest(own)


router = APIRouter()


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    state = request.app.state
    if not getattr(state, "metrics", True):
        raise ApiError(404, ErrorCode.NOT_FOUND, "Not Found")
    token = getattr(state, "metrics_token", None)
    if token is not None:
        given = request.headers.get("authorization", "").removeprefix("Bearer ").encode()
        if not hmac.compare_digest(given, token.get_secret_value().encode()):
            raise ApiError(401, ErrorCode.UNAUTHORIZED, "/metrics needs its bearer token")
    return Response(exposition(state.db), media_type=CONTENT_TYPE_PLAIN_0_0_4)
