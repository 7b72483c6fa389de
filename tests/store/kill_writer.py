"""Child process of ``test_kill.py``: writes through the store in a loop until it is killed.

    python tests/store/kill_writer.py DB SEED

Each transaction writes a *group*: N new contacts tagged ``grp<id>`` (N kept in ``flat``) and one
visit whose notes name the group; some transactions also rename an older contact (a search-index
update) or tombstone one. After each commit the group id is printed, so the parent knows what must
have survived. Prints ``ready`` once the store is open.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from fieldapp.model import Contact, Visit, new_id
from fieldapp.store import Store

FIRST = ["Bożena", "Łucja", "Żaneta", "Ścibor", "Jan", "Zofia"]
LAST = ["Żółkiewska", "Łódzki", "Wiśniewski", "Dąbrowska", "Kozłowski", "Źdźbło"]


def main() -> None:
    path, seed = Path(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(seed)
    store = Store(path)
    print("ready", flush=True)
    while True:
        group = new_id().replace("-", "")
        size = rng.choice((1, 2, 3, 5, 8, 40))
        older = None
        if rng.random() < 0.4:
            with store.engine.connect() as conn:
                row = conn.exec_driver_sql(
                    "SELECT id FROM contact WHERE deleted = 0 ORDER BY random() LIMIT 1"
                ).first()
            older = store.get(Contact, row[0]) if row else None
        with store.write() as conn:
            first = None
            for i in range(size):
                contact = store.save(conn, Contact(
                    kind=rng.choice(("resident", "ngo", "leader")),
                    name=f"{rng.choice(FIRST)} {rng.choice(LAST)} {group[-6:]}-{i}",
                    address=f"Piotrkowska {rng.randint(1, 300)}",
                    tags=f"grp{group}",
                    flat=str(size),
                    needs=rng.choice(("", "ławka", "świetlica")),
                ))
                first = first or contact
            assert first is not None
            store.save(conn, Visit(outcome="talked", contact_id=first.id, notes=f"grp{group}"))
            if older is not None:
                if rng.random() < 0.3:
                    store.delete(conn, older)
                else:
                    older.name = f"{rng.choice(FIRST)} Zmieniony {group[-6:]}"
                    older.notes = "po zmianie"
                    store.save(conn, older, ["name", "notes"])
        print(f"committed grp{group}", flush=True)


if __name__ == "__main__":
    main()
