"""Texts of the coordinator's RODO (GDPR) tools on a person's card."""

PL: dict[str, str] = {
    "ui.rodo.title": "Dane osoby (RODO)",
    "ui.rodo.export": "Eksportuj wszystkie dane tej osoby",
    "ui.rodo.exported": "Zapisano eksport danych osoby: {path}",
    "ui.rodo.erase": "Usuń dane osobowe (art. 17 RODO)",
    "ui.rodo.erase_text": "Imię, telefon, e-mail, notatki i powiązania tej osoby znikną z tego urządzenia, "
    "z serwera i z urządzeń zespołu po synchronizacji. Liczby w raportach zostaną. Tego nie da się cofnąć.",
    "ui.rodo.erased_now": "Dane osobowe usunięte — zmiana trafi do zespołu przy synchronizacji",
    "ui.rodo.erased": "Dane osobowe usunięte na wniosek osoby ({when}).",
}

EN: dict[str, str] = {
    "ui.rodo.title": "Personal data (GDPR)",
    "ui.rodo.export": "Export all data about this person",
    "ui.rodo.exported": "The person's data export was saved: {path}",
    "ui.rodo.erase": "Erase personal data (GDPR art. 17)",
    "ui.rodo.erase_text": "This person's name, phone, e-mail, notes and links will disappear from this "
    "device, the server and the team's devices after syncing. Report figures stay. This cannot be undone.",
    "ui.rodo.erased_now": "Personal data erased — the team gets the change with the next sync",
    "ui.rodo.erased": "Personal data erased at the person's request ({when}).",
}
