"""A fresh device's first pull in columns (``sync.protocol.ColumnPage``): the service builds the rows
of the device's empty tables in their stored form and the device inserts them as they come. The
store it ends with must equal one pulled as records (every table, search, the map, walk lists,
checksums), through the real service on both backends; a device or a service that does not speak
columns keeps records, and a record the device holds already is merged as a record (LWW)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import requests

from fieldapp.geo.walk import build_walk_list
from fieldapp.model import Contact, Visit
from fieldapp.model.registry import RECORD_TYPES
from fieldapp.model.zone import Zone
from fieldapp.store import Store
from fieldapp.store.db import raw
from fieldapp.sync import SyncError
from fieldapp.sync import pull as pull_module
from fieldapp.sync.pull import Page
from sync.protocol import PULL_COLUMNS_PARAM, SCHEMA_HEADER
from sync.stored_rows import columns
from tests.sync.conftest import Device, World
from tests.sync.test_bulk_pull import _queries, _snapshot

PAGE = 20
BULK_MIN = 10
STREETS = ("Piotrkowska", "Żółkiewskiego", "Kilińskiego")


def _fill(device: Device) -> tuple[Zone, list[Contact]]:
    """A zone (JSON columns), contacts of it (some without a position, one not to knock, some
    deleted), visits with and without a follow-up date."""
    now = datetime.now(UTC)
    with device.store.write() as conn:
        zone = device.store.save(
            conn,
            Zone(name="Bałuty", kind="sas", polygon=[[51.74, 19.44], [51.77, 19.44], [51.77, 19.47]],
                 workers=[device.user_id], center_lat=51.755, center_lon=19.455, radius_m=900.0),
        )
        made = []
        for n in range(70):
            made.append(device.store.save(conn, Contact(
                kind="resident" if n % 4 else "business",
                name="" if n % 9 == 0 else f"Osoba {n} Łukasz",
                address=f"{STREETS[n % 3]} {n % 30 + 1}, Łódź",
                street=STREETS[n % 3],
                house_number=str(n % 30 + 1),
                flat=str(n % 4) if n % 2 else "",
                city="Łódź",
                lat=None if n % 7 == 0 else 51.75 + (n % 13) * 1e-3,
                lon=None if n % 7 == 0 else 19.45 + (n % 11) * 1e-3,
                zone_id=zone.id,
                tags="Seniorzy" if n % 5 == 0 else "",
                offers="Zakupy" if n % 6 == 0 else "",
                do_not_knock=n % 11 == 0,
            )))
        for n in range(45):
            device.store.save(conn, Visit(
                contact_id=made[n].id, street=made[n].street, house_number=made[n].house_number,
                visited_at=now - timedelta(hours=n, microseconds=n),
                outcome="talked" if n % 2 else "come_back",
                lat=made[n].lat, lon=made[n].lon, zone_id=zone.id, accuracy_m=float(n) if n % 3 else None,
                follow_up_on=date.today() + timedelta(days=n % 5 + 1) if n % 4 == 0 else None,
            ))
        for contact in made[::17]:
            device.store.delete(conn, contact)
    receipt = device.engine.sync()
    assert receipt.rejected == [] and receipt.checksum == "ok"
    return zone, made


def _reader(world: World, **options: Any) -> Device:
    device = world.device(page_size=PAGE, **options)
    device.engine.bulk_min_records = BULK_MIN
    return device


def _records_only(device: Device) -> Device:
    """The device as an app that does not know columns: it never asks for them."""
    fetch = device.engine._fetch_page
    device.engine._fetch_page = lambda after, _columns=None: fetch(after)  # type: ignore[method-assign]
    return device


class _OldService(requests.Session):
    """Talks to the service as through one that does not know columns: the parameter is dropped."""

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        params = kwargs.get("params")
        if isinstance(params, dict):
            kwargs["params"] = {k: v for k, v in params.items() if k != PULL_COLUMNS_PARAM}
        return super().request(method, url, *args, **kwargs)


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bool]]:
    """Calls of the columns insert: (record type, whether it wrote the rows)."""
    calls: list[tuple[str, bool]] = []
    original = pull_module.insert_columns

    def insert_columns(db: Any, record_type: str, rows: list[list[Any]], **kw: Any) -> list[str] | None:
        written = original(db, record_type, rows, **kw)
        calls.append((record_type, written is not None))
        return written

    monkeypatch.setattr(pull_module, "insert_columns", insert_columns)
    return calls


def _tables(store: Store) -> dict[str, list[Any]]:
    """Every synced table's rows, by id."""
    with store.engine.connect() as conn:
        db = raw(conn)
        return {
            kind: db.execute(f"SELECT * FROM {model.__tablename__} ORDER BY id").fetchall()  # type: ignore[attr-defined]
            for kind, model in RECORD_TYPES.items()
        }


def _same_store(got: Store, expected: Store, zone: Zone) -> None:
    assert _tables(got) == _tables(expected)
    snap, want = _snapshot(got), _snapshot(expected)
    for key in want:
        assert snap[key] == want[key], key
    assert _queries(got) == _queries(expected)
    walk, want_walk = build_walk_list(got, zone.id), build_walk_list(expected, zone.id)
    assert walk.stops == want_walk.stops and walk.unlocated == want_walk.unlocated
    # Skipped doors come in the table's order, which a record merged in place may change.
    assert sorted(walk.skipped, key=repr) == sorted(want_walk.skipped, key=repr)


def test_first_pull_in_columns_ends_as_one_in_records(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    zone, _made = _fill(world.device())
    plain = _records_only(_reader(world))
    calls = _spy(monkeypatch)
    assert plain.engine.sync().checksum == "ok"
    assert calls == []
    fast = _reader(world)
    receipt = fast.engine.sync()
    assert receipt.checksum == "ok"
    assert receipt.pulled == 1 + 70 + 45  # the zone, contacts, visits
    assert {kind for kind, written in calls if written} == {"zone", "contact", "visit"}
    assert all(written for _kind, written in calls)
    _same_store(fast.store, plain.store, zone)
    assert _queries(fast.store)["nearby"] and all(_queries(fast.store)["search"].values())
    assert build_walk_list(fast.store, zone.id).stops


def test_a_service_without_columns_sends_records(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    zone, _made = _fill(world.device())
    plain = _records_only(_reader(world))
    plain.engine.sync()
    calls = _spy(monkeypatch)
    old = _reader(world, session=_OldService())
    assert old.engine.sync().checksum == "ok"
    assert calls == []
    _same_store(old.store, plain.store, zone)


def test_columns_only_for_the_same_schema(world: World) -> None:
    writer = world.device()
    _fill(writer)
    reader = _reader(world)
    url = f"{world.url}/v1/pull"
    params = {"after": 0, "limit": 50, PULL_COLUMNS_PARAM: "contact,visit"}
    other = requests.get(url, params=params, headers=reader.headers(**{SCHEMA_HEADER: "other"}), timeout=10)
    assert "tables" not in other.json() and len(other.json()["records"]) == 50
    same = reader.engine._fetch_page(0, ["contact", "visit"])
    assert set(same["tables"]) == {"contact"}  # the zone comes first, as a record: not asked for
    assert [r["record_type"] for r in same["records"]] == ["zone"]
    table = same["tables"]["contact"]
    assert table["columns"] == list(columns(Contact))
    assert len(table["rows"]) == len(table["hashes"]) == PAGE - 1


def test_a_record_held_already_is_merged_as_a_record(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The writer changes a contact of the first page while the reader pulls: it comes again on a
    later page, where the reader holds it already; that page is merged as records (LWW)."""
    writer = world.device()
    zone, made = _fill(writer)
    changed = made[1]

    class _ChangeMidPull(requests.Session):
        pulls = 0

        def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]  # noqa: E501
            response = super().request(method, url, *args, **kwargs)
            if str(url).endswith("/v1/pull"):
                self.pulls += 1
                if self.pulls == 1:
                    with writer.store.write() as conn:
                        edited = changed.model_copy(update={"phone": "+48 600 111 222"})
                        writer.store.save(conn, edited, ["phone"])
                    writer.engine.sync()
            return response

    calls = _spy(monkeypatch)
    reader = _reader(world, session=_ChangeMidPull())
    assert reader.engine.sync().checksum == "ok"
    assert ("contact", False) in calls and ("contact", True) in calls
    with reader.store.engine.connect() as conn:
        phone = raw(conn).execute("SELECT phone FROM contact WHERE id = ?", (changed.id,)).fetchone()
    assert phone == ("+48 600 111 222",)
    plain = _records_only(_reader(world))
    plain.engine.sync()
    _same_store(reader.store, plain.store, zone)


@pytest.mark.parametrize(
    "table",
    [
        {"columns": ["id"], "rows": [["a"]], "hashes": [1]},  # not this store's columns
        {"columns": list(columns(Visit)), "rows": [["a"]], "hashes": [1]},  # a short row
        {"columns": list(columns(Visit)), "rows": [["a"] * len(columns(Visit))], "hashes": []},
        {"columns": list(columns(Visit)), "rows": [["a"] * len(columns(Visit))], "hashes": ["1"]},
        {"columns": list(columns(Visit)), "rows": [[1] * len(columns(Visit))], "hashes": [1]},  # ids not text
    ],
)
def test_a_table_of_another_shape_is_refused(table: dict[str, Any]) -> None:
    answer = {"records": [], "cursor": 1, "has_more": False, "tables": {"visit": table}}
    with pytest.raises(SyncError) as refused:
        Page.of(answer)
    assert refused.value.code == "bad_response"
    with pytest.raises(SyncError):
        Page.of({**answer, "tables": {"no_such_type": {**table, "columns": list(columns(Visit))}}})


def test_rows_stored_otherwise_than_their_hashes_say_are_repaired(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The service's hashes alone would sum right however the rows were built: stored rows spread
    over the pull are hashed again, and a type whose rows differ is summed from its rows (then
    repaired from records)."""
    _fill(world.device())
    original = pull_module.insert_columns

    def insert_columns(db: Any, record_type: str, rows: list[list[Any]], **kw: Any) -> list[str] | None:
        if record_type == "contact":
            street = columns(Contact).index("street")
            rows = [[*row[:street], "Zła", *row[street + 1 :]] for row in rows]
        return original(db, record_type, rows, **kw)

    monkeypatch.setattr(pull_module, "insert_columns", insert_columns)
    reader = _reader(world)
    assert reader.engine.sync().checksum == "repaired"
    monkeypatch.undo()
    plain = _records_only(_reader(world))
    plain.engine.sync()
    assert _tables(reader.store) == _tables(plain.store)
