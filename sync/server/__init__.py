"""The sync service: FastAPI over SQLite (default) or PostgreSQL. Needs the ``server`` extra
(``pip install .[server]``); the field app never imports this package.

Modules: ``app`` (assembles the HTTP API: middleware, error handlers, routers), ``routes`` (one
router per resource), ``deps`` (what routes depend on: database, calling device, its scope, checked
bodies), ``errors`` (error codes as answers), ``body_limit`` (body size cap, gzip), ``merge``
(applying a pushed batch; the merge rules), ``incoming`` (a pushed change checked), ``erasure``
(RODO art. 17 in a push), ``record_rows`` (the record table as a push reads and writes it),
``pages`` (pull and conflict-log pages), ``accounts`` (programs, teams, users, enrollment codes,
tokens, QR), ``throttle`` (rate limits of enrollment), ``enrollments`` (codes as an admin lists and
reissues them), ``restore`` (an admin's restore of an erased person), ``tables`` (schema, and why
one generic record table), ``db`` (engines, transactions, Alembic migrations in
``sync/migrations``), ``local`` (the service in a thread, for the demo and tests), ``cli``
(``teren-sync``), ``compression`` (answers in zstd or gzip, as the client accepts), ``serve`` and
``settings`` (``teren-sync serve``, every option also a ``TEREN_SYNC_*`` variable), ``ops_cli``
and ``backup`` (backup, restore, migrate), ``epoch`` (new with each restore: devices start again),
``observe``, ``metrics`` and ``logs`` (request ids, ``/metrics``, text or JSON logs).

API (JSON; errors are ``{"code", "message"}`` with the codes of ``sync.protocol.ErrorCode``):

- ``GET /health`` (503 when the database does not answer); ``GET /openapi.json``; ``GET /metrics``
  (Prometheus; left out of the OpenAPI document)
- ``POST /v1/enroll`` one-time code → bearer token (no auth; 429 ``rate_limited`` with
  ``Retry-After`` after wrong codes, per client address and per code)
- ``GET /v1/me`` who the token belongs to
- ``POST /v1/push`` a batch (≤ 2,000 changes, body ≤ 8 MB, plain or gzip, the limit counted after
  inflating) → per-change results
- ``GET /v1/pull?after=<cursor>&limit=<n>`` records in the device's scope changed after the cursor
- ``GET /v1/conflicts?after=<id>`` the conflict log of the program (supervisors, admins)
- ``POST /v1/enrollments`` a supervisor or admin makes an enrollment code for a user of the program
- ``GET /v1/devices``; ``POST /v1/devices/<id>/revoke`` the program's devices (supervisors, admins);
  a revoked device gets 403 ``device_revoked`` and wipes its data

Roles (table-tested in ``tests/security/test_roles.py``): ``/health``, ``/openapi.json`` and
``/v1/enroll`` are public; the rest need a device token; conflicts, devices and enrollments are for
supervisors and admins of the program; a supervisor enrolls only team members and their own account
and revokes any device but an admin's. Every answer carries security headers and CORS is closed
unless origins are configured (``security``).

Scope: animators and library staff see their team's records; supervisors and admins their whole
program. A record belongs to the team of the device that created it; a record created by a
supervisor without a team joins the team of a record or user it names (e.g. a review of a visit).

Processes are stateless: any number of them may serve one PostgreSQL database. Pushes serialise on
one counter row (``tables`` explains why that keeps pulls from skipping changes); with SQLite the
file's write lock does the same.
"""
