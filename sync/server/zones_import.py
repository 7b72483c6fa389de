"""Zone boundaries imported from GeoJSON on the service (``teren-sync zones import``): each
polygon feature becomes a zone of a team, with its animators, and every device of the team pulls
it at its next sync (as if a coordinator's device had pushed it).

What is refused, before anything is written (``ValueError``, one line per problem):

- **projection** — GeoJSON (RFC 7946) is WGS 84 longitude/latitude; a ``crs`` naming another
  system (EPSG:2180, the Polish PUWG 1992, is the usual one), or coordinates beyond ±180/±90
  (metres of a projected system), are refused: re-export as EPSG:4326;
- **coordinate order** — RFC 7946 puts longitude first; a boundary that lies in Poland only when
  read latitude-first was written in the wrong order;
- **shape** — a polygon needs three distinct points, its edges must not cross, and the zone must
  keep the record rules of every zone (``fieldapp.model.rules``: the same check as a push);
- **animators** — ``properties.animator`` (or the ``--animator`` given for the feature, in order)
  must name an animator of the team, by user id or account name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from fieldapp.model.base import new_id
from fieldapp.model.enums import ZoneKind, ZoneStage
from fieldapp.model.geometry import distinct_ring
from fieldapp.model.registry import RECORD_TYPES
from fieldapp.model.rules import record_errors
from sync import hlc as hlcs_
from sync.server import tables as t
from sync.server.checks import checked_values
from sync.server.clock import now_ms
from sync.server.db import Database
from sync.server.erasure import SERVER_NODE
from sync.server.merge import BASE_SEQ
from sync.server.record_rows import insert_records

#: Where the program works: Poland (latitude, longitude), to tell the coordinate order.
POLAND = ((49.0, 55.0), (14.0, 24.2))
_WGS84 = (
    "EPSG:4326",
    "CRS84",
    "OGC:1.3:CRS84",
    "URN:OGC:DEF:CRS:OGC:1.3:CRS84",
    "URN:OGC:DEF:CRS:EPSG::4326",
)


@dataclass(frozen=True)
class ImportedZone:
    id: str
    name: str
    animators: list[str]


def _in_poland(lat: float, lon: float) -> bool:
    (lat_lo, lat_hi), (lon_lo, lon_hi) = POLAND
    return lat_lo <= lat <= lat_hi and lon_lo <= lon <= lon_hi


def _crs_problem(document: dict[str, Any]) -> str | None:
    crs = document.get("crs")
    if not isinstance(crs, dict):
        return None
    name = str((crs.get("properties") or {}).get("name", "")).upper()
    if any(name.endswith(known.upper()) for known in _WGS84):
        return None
    return f"coordinate system {name or '?'} is not WGS 84 longitude/latitude: re-export as EPSG:4326"


def _features(document: Any) -> list[dict[str, Any]]:
    if not isinstance(document, dict):
        raise ValueError("not a GeoJSON object")
    kind = document.get("type")
    if kind == "FeatureCollection":
        features = document.get("features")
        if not isinstance(features, list):
            raise ValueError("a FeatureCollection without a list of features")
        return features
    if kind == "Feature":
        return [document]
    if kind in ("Polygon", "MultiPolygon"):
        return [{"type": "Feature", "geometry": document, "properties": {}}]
    raise ValueError(f"GeoJSON type {kind!r}: expected a FeatureCollection, a Feature or a Polygon")


def _ring(geometry: Any, label: str) -> list[list[float]]:
    """The outer ring of a Polygon (or of a MultiPolygon of one polygon) as ``[lat, lon]`` points."""
    if not isinstance(geometry, dict):
        raise ValueError(f"{label}: no geometry")
    coords = geometry.get("coordinates")
    if geometry.get("type") == "MultiPolygon":
        if not isinstance(coords, list) or len(coords) != 1:
            raise ValueError(f"{label}: a MultiPolygon of several parts: split it into one feature per zone")
        coords = coords[0]
    elif geometry.get("type") != "Polygon":
        raise ValueError(f"{label}: geometry {geometry.get('type')!r} is not a Polygon")
    if not isinstance(coords, list) or not coords or not isinstance(coords[0], list):
        raise ValueError(f"{label}: a Polygon without coordinates")
    points = []
    for position in coords[0]:
        if not (
            isinstance(position, list)
            and len(position) >= 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in position[:2])
        ):
            raise ValueError(f"{label}: a position is not [longitude, latitude]")
        lon, lat = float(position[0]), float(position[1])
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValueError(
                f"{label}: ({position[0]}, {position[1]}) is no longitude/latitude (a projected system in "
                "metres?): re-export as EPSG:4326"
            )
        points.append([lat, lon])
    outside = points and not any(_in_poland(lat, lon) for lat, lon in points)
    if outside and all(_in_poland(lon, lat) for lat, lon in points):
        raise ValueError(f"{label}: coordinates are latitude first; GeoJSON puts longitude first")
    if len(distinct_ring(points)) < 3:
        raise ValueError(f"{label}: a boundary needs at least three distinct points")
    return points


def parse_zones(text: str, animators: list[str] | None = None) -> list[dict[str, Any]]:
    """The zones of a GeoJSON document as zone records' wire data (``workers`` still named as
    given); ValueError listing every problem."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc.msg} (line {exc.lineno})") from None
    if problem := _crs_problem(document):
        raise ValueError(problem)
    problems: list[str] = []
    zones: list[dict[str, Any]] = []
    given = list(animators or [])
    for n, feature in enumerate(_features(document), start=1):
        props = feature.get("properties") or {} if isinstance(feature, dict) else {}
        name = str(props.get("name") or f"Strefa {n}").strip()
        label = f"feature {n} ({name})"
        try:
            polygon = _ring(feature.get("geometry") if isinstance(feature, dict) else None, label)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        data: dict[str, Any] = {
            "name": name,
            "kind": str(props.get("kind") or ZoneKind.QUARTER),
            "polygon": polygon,
            "stage": str(props.get("stage") or ZoneStage.NONE),
            "notes": str(props.get("notes") or ""),
        }
        if props.get("library_branch"):
            data["library_branch"] = str(props["library_branch"])
        animator = props.get("animator") or (given[n - 1] if n <= len(given) else None)
        data["workers"] = [str(animator)] if animator else []
        _, refused = checked_values(RECORD_TYPES["zone"], data | {"workers": []})
        found = [f"{p['field']}: {p['code']}" for p in refused or []]
        found += [f"{e.field}: {e.code}" for e in record_errors("zone", None, data)]
        problems += [f"{label}: {text}" for text in found]
        zones.append(data)
    if problems:
        raise ValueError("; ".join(problems))
    if not zones:
        raise ValueError("no zones in the file")
    return zones


def _animator_ids(conn: sa.Connection, team_id: str, names: list[str]) -> dict[str, str]:
    rows = conn.execute(
        sa.select(t.account.c.id, t.account.c.name, t.account.c.role).where(t.account.c.team_id == team_id)
    ).all()
    by_key: dict[str, str] = {}
    for row in rows:
        by_key[row.id] = row.id
        by_key.setdefault(row.name, row.id)
    missing = [name for name in names if name not in by_key]
    if missing:
        raise ValueError(f"no user of the team named: {', '.join(missing)}")
    return by_key


def import_zones(
    db: Database, team_id: str, text: str, animators: list[str] | None = None
) -> list[ImportedZone]:
    """Write the file's zones into ``team_id``'s program (all or nothing)."""
    zones = parse_zones(text, animators)
    with db.write(serial=True) as conn:
        team = conn.execute(sa.select(t.team.c.program_id).where(t.team.c.id == team_id)).first()
        if team is None:
            raise ValueError(f"no team {team_id}")
        named = sorted({w for z in zones for w in z["workers"]})
        ids = _animator_ids(conn, team_id, named)
        seq = conn.execute(
            sa.select(t.counter.c.value).where(t.counter.c.name == "change").with_for_update()
        ).scalar_one()
        stamp = hlcs_.encode(now_ms(), 0, SERVER_NODE)
        rows, made = [], []
        for data in zones:
            seq += 1
            data["workers"] = [ids[w] for w in data["workers"]]
            zone_id = new_id()
            rows.append(
                {
                    "record_type": "zone",
                    "id": zone_id,
                    "program_id": team.program_id,
                    "team_id": team_id,
                    "seq": seq,
                    "data": data,
                    "hlcs": {},
                    "field_seqs": {BASE_SEQ: seq},
                    "base_hlc": stamp,
                    "updated_hlc": stamp,
                    "deleted": False,
                    "created_at": datetime.now(UTC),
                    "author_id": None,
                    "device_id": None,
                }
            )
            made.append(ImportedZone(zone_id, data["name"], data["workers"]))
        insert_records(conn, rows)
        conn.execute(sa.update(t.counter).where(t.counter.c.name == "change").values(value=seq))
    return made
