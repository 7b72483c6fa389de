"""The sync service: FastAPI over SQLite (default) or PostgreSQL; see ``app`` and ``cli``.

Needs the ``server`` extra (``pip install .[server]``); the field app never imports this package.
"""
