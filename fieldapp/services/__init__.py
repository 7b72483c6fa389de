"""What a user does, as plain functions over the store: validation lives here, not in the UI.

Every function takes the ``Store`` first, validates all of its input before writing
(``ValidationFailed`` with per-field codes, ``NotFound`` for missing records) and writes each
change — record, outbox entry, search row — in one transaction through the store.
"""
