"""Sync: error codes of the sync client and service (``sync.error.<code>``), in plain words."""

PL: dict[str, str] = {
    "sync.error.offline": (
        "Brak połączenia z serwerem. Dane są bezpieczne na urządzeniu — spróbujemy później."
    ),
    "sync.error.timeout": "Serwer nie odpowiedział na czas. Spróbujemy ponownie.",
    "sync.error.server_error": "Serwer ma kłopot. Dane są bezpieczne na urządzeniu — spróbujemy później.",
    "sync.error.unavailable": "Serwer jest chwilowo niedostępny. Spróbujemy później.",
    "sync.error.rate_limited": "Serwer prosi o chwilę przerwy. Spróbujemy za moment.",
    "sync.error.bad_response": "Serwer odpowiedział w niezrozumiały sposób. Sprawdź adres serwera.",
    "sync.error.not_enrolled": "To urządzenie nie jest jeszcze podłączone do serwera.",
    "sync.error.server_required": "Do samego kodu potrzebny jest adres serwera.",
    "sync.error.enrollment_invalid": "Ten kod jest nieprawidłowy. Sprawdź go albo poproś o nowy.",
    "sync.error.enrollment_expired": "Ten kod wygasł. Poproś koordynatora o nowy.",
    "sync.error.enrollment_used": "Ten kod został już użyty. Poproś koordynatora o nowy.",
    "sync.error.enrollment_locked": "Za dużo błędnych prób tym kodem. Poproś koordynatora o nowy.",
    "sync.error.unauthorized": "Serwer nie rozpoznaje tego urządzenia. Podłącz je ponownie nowym kodem.",
    "sync.error.device_revoked": (
        "To urządzenie zostało odłączone przez koordynatora. Dane zostały z niego usunięte."
    ),
    "sync.error.forbidden": "Twoja rola nie pozwala na tę operację.",
    "sync.error.not_found": "Serwer nie zna tego adresu. Sprawdź adres serwera.",
    "sync.error.invalid_request": "Serwer nie przyjął danych. Zaktualizuj aplikację.",
    "sync.error.unsupported_protocol": (
        "Ta wersja aplikacji jest za stara dla serwera. Zaktualizuj aplikację."
    ),
    "sync.error.body_too_large": "Paczka danych była za duża. Spróbujemy wysłać mniejszymi częściami.",
    "sync.error.batch_too_large": "Paczka zmian była za duża. Spróbujemy wysłać mniejszymi częściami.",
    "sync.error.bad_encoding": "Dane zostały uszkodzone w drodze. Spróbujemy ponownie.",
    "sync.error.clock_ahead": (
        "Zegar telefonu śpieszy się. Ustaw prawidłową datę i godzinę — część zmian czeka na urządzeniu."
    ),
    "sync.error.unknown_record_type": "Serwer nie zna tego rodzaju danych. Zaktualizuj serwer lub aplikację.",
    "sync.error.invalid_value": "Serwer odrzucił nieprawidłową wartość w zapisie.",
    "sync.error.invalid_hlc": "Zapis miał uszkodzony znacznik czasu i został odrzucony.",
    "sync.error.out_of_scope": "Ten zapis należy do innego zespołu — serwer go nie przyjął.",
    "sync.error.missing_fields": "Serwer nie ma pełnego zapisu — zostanie wysłany ponownie w całości.",
    "sync.error.storage_full": (
        "Pamięć urządzenia jest pełna. Zwolnij miejsce — dane zapisane wcześniej są bezpieczne."
    ),
}

EN: dict[str, str] = {
    "sync.error.offline": (
        "No connection to the server. Your data is safe on the device; we will try later."
    ),
    "sync.error.timeout": "The server did not answer in time. We will try again.",
    "sync.error.server_error": (
        "The server has a problem. Your data is safe on the device; we will try later."
    ),
    "sync.error.unavailable": "The server is unavailable for now. We will try later.",
    "sync.error.rate_limited": "The server asks for a short break. We will try again shortly.",
    "sync.error.bad_response": "The server gave an answer we do not understand. Check the server address.",
    "sync.error.not_enrolled": "This device is not connected to a server yet.",
    "sync.error.server_required": "A code on its own needs the server address.",
    "sync.error.enrollment_invalid": "This code is not valid. Check it or ask for a new one.",
    "sync.error.enrollment_expired": "This code has expired. Ask your supervisor for a new one.",
    "sync.error.enrollment_used": "This code has been used already. Ask your supervisor for a new one.",
    "sync.error.enrollment_locked": "Too many wrong tries with this code. Ask your supervisor for a new one.",
    "sync.error.unauthorized": "The server does not recognise this device. Connect it again with a new code.",
    "sync.error.device_revoked": (
        "Your supervisor disconnected this device. Its data has been removed from it."
    ),
    "sync.error.forbidden": "Your role does not allow this.",
    "sync.error.not_found": "The server does not know this address. Check the server address.",
    "sync.error.invalid_request": "The server did not accept the data. Update the app.",
    "sync.error.unsupported_protocol": "This version of the app is too old for the server. Update the app.",
    "sync.error.body_too_large": "The data package was too large. We will send it in smaller parts.",
    "sync.error.batch_too_large": "The batch of changes was too large. We will send it in smaller parts.",
    "sync.error.bad_encoding": "The data was damaged on the way. We will try again.",
    "sync.error.clock_ahead": (
        "The phone's clock is ahead. Set the correct date and time; some changes wait on the device."
    ),
    "sync.error.unknown_record_type": (
        "The server does not know this kind of data. Update the server or the app."
    ),
    "sync.error.invalid_value": "The server refused an invalid value in a record.",
    "sync.error.invalid_hlc": "A record had a damaged timestamp and was refused.",
    "sync.error.out_of_scope": "This record belongs to another team; the server did not accept it.",
    "sync.error.missing_fields": "The server lacks the full record; it will be sent again in full.",
    "sync.error.storage_full": (
        "The device's storage is full. Free some space; what was saved before is safe."
    ),
}
