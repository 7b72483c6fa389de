"""Reviews of field logs and RODO tools (export, erasure, retention, audit log)."""

PL: dict[str, str] = {
    # -- validation ---------------------------------------------------------------------------
    "error.review_not_allowed": (
        "Zatwierdzać i zwracać wpisy może tylko koordynator lub administrator."
    ),
    "error.review_comment_required": "Napisz, co trzeba poprawić — komentarz jest wymagany przy zwrocie.",
    "error.review_unknown_kind": (
        "Tego rodzaju wpisu („{value}”) nie można ocenić — tylko wizyty, diagnozy i działania."
    ),
    "error.rodo_by_required": "Podaj, kto realizuje żądanie usunięcia danych.",
    "error.rodo_not_allowed": "Dane osoby może usunąć tylko koordynator lub administrator.",
    # -- vocabularies -------------------------------------------------------------------------
    "review.returned_with": "Zwrócony: {comment}",
    "review.kind.visit": "Wizyta",
    "review.kind.diagnosis": "Diagnoza",
    "review.kind.action": "Działanie",
    "audit.action.viewed": "Wyświetlono",
    "audit.action.exported": "Wyeksportowano dane",
    "audit.action.erased": "Usunięto dane osobowe",
    "audit.action.anonymised": "Zanonimizowano (okres przechowywania)",
    "audit.action.approved": "Zatwierdzono",
    "audit.action.returned": "Zwrócono do poprawy",
    "audit.action.corrected": "Poprawiono",
    "audit.action.read_conflicts": "Odczytano dziennik konfliktów",
    "audit.action.read_audit": "Odczytano dziennik audytu",
    "audit.action.listed_devices": "Wyświetlono listę urządzeń",
    "audit.action.revoked_device": "Unieważniono urządzenie",
    "audit.action.created_enrollment": "Utworzono kod rejestracji urządzenia",
}

EN: dict[str, str] = {
    "error.review_not_allowed": "Only a supervisor or an administrator can approve or return entries.",
    "error.review_comment_required": "Write what needs fixing — a comment is required to return an entry.",
    "error.review_unknown_kind": (
        "This kind of entry (“{value}”) cannot be reviewed — only visits, diagnoses and actions."
    ),
    "error.rodo_by_required": "Say who is carrying out the erasure request.",
    "error.rodo_not_allowed": "Only a supervisor or an administrator can erase a person's data.",
    "review.returned_with": "Returned: {comment}",
    "review.kind.visit": "Visit",
    "review.kind.diagnosis": "Diagnosis",
    "review.kind.action": "Action",
    "audit.action.viewed": "Viewed",
    "audit.action.exported": "Data exported",
    "audit.action.erased": "Personal data erased",
    "audit.action.anonymised": "Anonymised (retention period)",
    "audit.action.approved": "Approved",
    "audit.action.returned": "Returned for correction",
    "audit.action.corrected": "Corrected",
    "audit.action.read_conflicts": "Read the conflict log",
    "audit.action.read_audit": "Read the audit log",
    "audit.action.listed_devices": "Listed the devices",
    "audit.action.revoked_device": "Revoked a device",
    "audit.action.created_enrollment": "Created a device enrollment code",
}
