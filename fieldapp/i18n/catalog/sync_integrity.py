"""Sync integrity: where enrollment may go, the phone's clock, and why the service refused a change."""

PL: dict[str, str] = {
    "sync.error.server_invalid": (
        "Ten adres serwera jest nieprawidłowy. Wpisz go w postaci https://nazwa.serwera — "
        "bez nazwy użytkownika i znaku @."
    ),
    "sync.error.server_insecure": (
        "Ten serwer nie używa szyfrowanego połączenia (https), więc kod i dane mieszkańców "
        "mogłyby zostać podejrzane. Poproś koordynatora o adres zaczynający się od https://."
    ),
    "sync.error.enrollment_bad_response": (
        "Serwer nie przysłał klucza urządzenia. Sprawdź adres serwera i spróbuj ponownie; "
        "jeśli to się powtórzy, poproś koordynatora o nowy kod."
    ),
    "sync.error.redirected": (
        "Serwer przekierował połączenie pod inny adres, więc nic nie zostało wysłane. "
        "Sprawdź adres serwera z koordynatorem."
    ),
    "sync.error.erased": "Dane tej osoby zostały usunięte (RODO) — serwer nie przyjął zmiany.",
    "ui.sync.connected_to": "Połączono z serwerem: {host}",
    "ui.sync.clock.behind": "Zegar telefonu spóźnia się ({amount}).",
    "ui.sync.clock.ahead": "Zegar telefonu spieszy się ({amount}).",
    "ui.sync.clock.fix": (
        "Zmiany synchronizują się poprawnie, ale daty wizyt i przypomnienia mogą się nie zgadzać. "
        "Włącz automatyczny czas — Android: Ustawienia → System → Data i godzina → „Ustaw "
        "automatycznie”; iPhone: Ustawienia → Ogólne → Data i czas → „Ustaw automatycznie”."
    ),
    "ui.sync.clock.short_behind": "Zegar telefonu spóźnia się ({amount}) — włącz automatyczny czas",
    "ui.sync.clock.short_ahead": "Zegar telefonu spieszy się ({amount}) — włącz automatyczny czas",
    "ui.sync.clock.minutes": "{value} min",
    "ui.sync.clock.hours": "{value} godz.",
    "ui.sync.clock.days": "{value} d.",
    "ui.sync.receipt.problem": "{record} — {field}: {reason}",
    "ui.sync.receipt.problem_record": "{record}: {reason}",
    "ui.sync.record.zone": "Strefa",
    "ui.sync.record.contact": "Kontakt",
    "ui.sync.record.consent": "Zgoda",
    "ui.sync.record.visit": "Wizyta",
    "ui.sync.record.diagnosis": "Diagnoza",
    "ui.sync.record.need": "Potrzeba",
    "ui.sync.record.resource": "Zasób",
    "ui.sync.record.action": "Działanie",
    "ui.sync.record.review": "Ocena wpisu",
    "ui.sync.record.activity_group": "Grupa",
    "ui.sync.record.group_member": "Członkostwo w grupie",
    "ui.sync.record.group_action": "Działanie grupy",
    "ui.sync.record.partnership": "Partnerstwo",
    "ui.sync.record.partnership_phase": "Etap partnerstwa",
    "ui.sync.record.partner": "Partner",
    "ui.sync.record.meeting": "Spotkanie",
    "ui.sync.record.attendance": "Obecność",
    "ui.sync.record.task": "Zadanie",
    "ui.sync.record.other": "Zapis",
    "ui.sync.record.named": "{kind} „{name}”",
    "ui.sync.field.name": "nazwa",
    "ui.sync.field.phone": "telefon",
    "ui.sync.field.email": "e-mail",
    "ui.sync.field.address": "adres",
    "ui.sync.field.lat": "szerokość geograficzna",
    "ui.sync.field.lon": "długość geograficzna",
    "ui.sync.field.visited_at": "data wizyty",
    "ui.sync.field.follow_up_on": "termin powrotu",
    "ui.sync.field.outcome": "wynik wizyty",
    "ui.sync.field.notes": "notatki",
    "ui.sync.field.participants": "liczba uczestników",
    "ui.sync.field.people_reached": "liczba osób objętych",
    "ui.sync.field.people_count": "liczba osób",
    "ui.sync.field.anonymous_count": "liczba osób bez nazwiska",
    "ui.sync.field.grant_requested_gr": "wnioskowana kwota",
    "ui.sync.field.grant_granted_gr": "przyznana kwota",
    "ui.sync.field.status": "status",
    "ui.sync.field.state": "stan",
    "ui.sync.field.report": "sprawozdanie",
    "ui.sync.field.comment": "komentarz",
    "ui.sync.field.title": "tytuł",
    "ui.sync.field.starts_on": "data rozpoczęcia",
    "ui.sync.field.held_on": "data spotkania",
    "ui.sync.field.due_on": "termin",
    "ui.sync.field.period_start": "początek okresu",
    "ui.sync.field.period_end": "koniec okresu",
    "ui.sync.field.erased_at": "usunięcie danych",
}

EN: dict[str, str] = {
    "sync.error.server_invalid": (
        "This server address is not valid. Enter it as https://server.name — without a user name "
        "or an @ sign."
    ),
    "sync.error.server_insecure": (
        "This server does not use an encrypted connection (https), so the code and residents' data "
        "could be read on the way. Ask your supervisor for an address that starts with https://."
    ),
    "sync.error.enrollment_bad_response": (
        "The server did not send a device key. Check the server address and try again; if it "
        "happens again, ask your supervisor for a new code."
    ),
    "sync.error.redirected": (
        "The server redirected the connection to another address, so nothing was sent. Check the "
        "server address with your supervisor."
    ),
    "sync.error.erased": "This person's data was erased (GDPR) — the server did not accept the change.",
    "ui.sync.connected_to": "Connected to the server: {host}",
    "ui.sync.clock.behind": "The phone's clock is behind ({amount}).",
    "ui.sync.clock.ahead": "The phone's clock is ahead ({amount}).",
    "ui.sync.clock.fix": (
        "Changes still sync correctly, but visit dates and reminders may be off. Turn on automatic "
        "time — Android: Settings → System → Date & time → “Set time automatically”; iPhone: "
        "Settings → General → Date & Time → “Set Automatically”."
    ),
    "ui.sync.clock.short_behind": "The phone's clock is behind ({amount}) — turn on automatic time",
    "ui.sync.clock.short_ahead": "The phone's clock is ahead ({amount}) — turn on automatic time",
    "ui.sync.clock.minutes": "{value} min",
    "ui.sync.clock.hours": "{value} h",
    "ui.sync.clock.days": "{value} d",
    "ui.sync.receipt.problem": "{record} — {field}: {reason}",
    "ui.sync.receipt.problem_record": "{record}: {reason}",
    "ui.sync.record.zone": "Zone",
    "ui.sync.record.contact": "Contact",
    "ui.sync.record.consent": "Consent",
    "ui.sync.record.visit": "Visit",
    "ui.sync.record.diagnosis": "Diagnosis",
    "ui.sync.record.need": "Need",
    "ui.sync.record.resource": "Resource",
    "ui.sync.record.action": "Action",
    "ui.sync.record.review": "Entry review",
    "ui.sync.record.activity_group": "Group",
    "ui.sync.record.group_member": "Group membership",
    "ui.sync.record.group_action": "Group action",
    "ui.sync.record.partnership": "Partnership",
    "ui.sync.record.partnership_phase": "Partnership phase",
    "ui.sync.record.partner": "Partner",
    "ui.sync.record.meeting": "Meeting",
    "ui.sync.record.attendance": "Attendance",
    "ui.sync.record.task": "Task",
    "ui.sync.record.other": "Record",
    "ui.sync.record.named": "{kind} “{name}”",
    "ui.sync.field.name": "name",
    "ui.sync.field.phone": "phone",
    "ui.sync.field.email": "e-mail",
    "ui.sync.field.address": "address",
    "ui.sync.field.lat": "latitude",
    "ui.sync.field.lon": "longitude",
    "ui.sync.field.visited_at": "visit date",
    "ui.sync.field.follow_up_on": "follow-up date",
    "ui.sync.field.outcome": "visit outcome",
    "ui.sync.field.notes": "notes",
    "ui.sync.field.participants": "number of participants",
    "ui.sync.field.people_reached": "people reached",
    "ui.sync.field.people_count": "number of people",
    "ui.sync.field.anonymous_count": "people without a name",
    "ui.sync.field.grant_requested_gr": "amount requested",
    "ui.sync.field.grant_granted_gr": "amount granted",
    "ui.sync.field.status": "status",
    "ui.sync.field.state": "state",
    "ui.sync.field.report": "report",
    "ui.sync.field.comment": "comment",
    "ui.sync.field.title": "title",
    "ui.sync.field.starts_on": "start date",
    "ui.sync.field.held_on": "meeting date",
    "ui.sync.field.due_on": "due date",
    "ui.sync.field.period_start": "period start",
    "ui.sync.field.period_end": "period end",
    "ui.sync.field.erased_at": "data erasure",
}
