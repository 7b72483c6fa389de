"""A change the service refuses comes back in the receipt with which field broke which rule, so the
sync screen can say it in the user's language (``error.<code>``)."""

from __future__ import annotations

from fieldapp.errors import FieldError
from fieldapp.i18n import error_text
from fieldapp.model import Contact
from tests.sync.conftest import World


def test_a_refused_change_names_its_field_and_rule(world: World) -> None:
    a = world.device()
    with a.store.write() as conn:  # past the app's own checks, as a tampered phone would write
        bad = a.store.save(conn, Contact(kind="resident", name="Ala Biegun", lat=91.0, lon=19.4))
    receipt = a.engine.sync()
    [refused] = receipt.rejected
    assert (refused.record_type, refused.id, refused.code) == ("contact", bad.id, "invalid_value")
    [problem] = [p for p in refused.errors if p.field == "lat"]
    text = error_text(FieldError(problem.field, problem.code, dict(problem.params)), "pl")
    assert problem.code and "error." not in text and "90" in text
