"""Texts of the coordinator's RODO (GDPR) tools on a person's card, and of the program's audit log."""

PL: dict[str, str] = {
    "ui.rodo.title": "Dane osoby (RODO)",
    "ui.rodo.export": "Eksportuj wszystkie dane tej osoby",
    "ui.rodo.exported": "Zapisano eksport danych osoby: {path}",
    "ui.rodo.erase": "Usuń dane osobowe (art. 17 RODO)",
    "ui.rodo.erase_text": "Imię, telefon, e-mail, notatki i powiązania tej osoby znikną z tego urządzenia, "
    "z serwera i z urządzeń zespołu po synchronizacji. Liczby w raportach zostaną. Tego nie da się cofnąć.",
    "ui.rodo.erased_now": "Dane osobowe usunięte — zmiana trafi do zespołu przy synchronizacji",
    "ui.rodo.erased": "Dane osobowe usunięte na wniosek osoby ({when}).",
    # -- the program's audit log (fieldapp/ui/audit_log.py) ------------------------------------
    "ui.audit.title": "Dziennik audytu",
    "ui.audit.intro": "Kto w programie wyświetlał, eksportował, usuwał lub oceniał dane — od najnowszych.",
    "ui.audit.supervisors_only": "Dziennik audytu widzi koordynator po połączeniu z serwerem.",
    "ui.audit.none": "Dziennik jest pusty.",
    "ui.audit.older": "Starsze wpisy",
    "ui.audit.you": "Ty",
    "ui.audit.source.service": "zapis serwera",
    "ui.audit.source.device": "z urządzenia",
    "ui.audit.target.contact": "Osoba",
    "ui.audit.target.visit": "Wizyta",
    "ui.audit.target.diagnosis": "Diagnoza",
    "ui.audit.target.action": "Działanie",
    "ui.audit.target.device": "Urządzenie",
    "ui.audit.target.account": "Konto",
    "ui.audit.target.conflict_log": "Dziennik konfliktów",
    "ui.audit.target.audit_log": "Dziennik audytu",
    "ui.audit.target.device_list": "Lista urządzeń",
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
    # -- the program's audit log (fieldapp/ui/audit_log.py) ------------------------------------
    "ui.audit.title": "Audit log",
    "ui.audit.intro": "Who in the program viewed, exported, erased or reviewed data — newest first.",
    "ui.audit.supervisors_only": "The audit log is for coordinators, with a connection to the server.",
    "ui.audit.none": "The log is empty.",
    "ui.audit.older": "Older entries",
    "ui.audit.you": "You",
    "ui.audit.source.service": "recorded by the server",
    "ui.audit.source.device": "from a device",
    "ui.audit.target.contact": "Person",
    "ui.audit.target.visit": "Visit",
    "ui.audit.target.diagnosis": "Diagnosis",
    "ui.audit.target.action": "Action",
    "ui.audit.target.device": "Device",
    "ui.audit.target.account": "Account",
    "ui.audit.target.conflict_log": "Conflict log",
    "ui.audit.target.audit_log": "Audit log",
    "ui.audit.target.device_list": "Device list",
}
