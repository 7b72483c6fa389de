"""A building skipped for one reason is one line of the walk list, with its flats."""

from __future__ import annotations

from fieldapp.geo.walk import Skipped, skipped_doors


def test_skipped_contacts_of_one_building_are_one_line_with_their_flats() -> None:
    skipped = [Skipped(f"c{i}", "Czajkowskiego 120a", "do_not_knock", flat) for i, flat in
               enumerate(["12", "3", "", "30", "3", "1"])]
    skipped.append(Skipped("x", "Czajkowskiego 120a", "visited_today", "7"))
    doors = skipped_doors(skipped)
    assert [(d.label, d.reason, d.flats) for d in doors] == [
        ("Czajkowskiego 120a", "do_not_knock", ("1", "3", "12", "30")),
        ("Czajkowskiego 120a", "visited_today", ("7",)),
    ]
