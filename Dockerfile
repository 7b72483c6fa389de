# The sync service (teren-sync serve) in a small image: Python 3.11 slim, a virtualenv with the
# pinned `server` extra, PostgreSQL's client programs for `teren-sync backup`/`restore`, a user
# without privileges. Configured by TEREN_SYNC_* variables (README, Settings); compose.yaml runs it
# with PostgreSQL behind Caddy.
#
#   docker build -t teren-sync .
#   docker run -p 127.0.0.1:8765:8765 -v teren:/var/lib/teren teren-sync   # SQLite in the volume

FROM python:3.11-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY .ci/constraints.txt .ci/constraints.txt
COPY fieldapp fieldapp
COPY sync sync
# Compiled to bytecode at install (workers start faster); pip and setuptools are not needed to run.
RUN python -m venv /opt/teren \
    && /opt/teren/bin/pip install --no-cache-dir -c .ci/constraints.txt ".[server]" \
    && /opt/teren/bin/pip uninstall -y -q pip setuptools

FROM python:3.11-slim-bookworm
# pg_dump/pg_restore/psql 15: Debian 12's, as compose.yaml's PostgreSQL 15 needs (pg_dump refuses
# a newer server). Debian's security updates move the exact version: pinned to the major one.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 teren \
    && useradd --system --uid 10001 --gid teren --home-dir /var/lib/teren --shell /usr/sbin/nologin teren \
    && install -d -o teren -g teren -m 0700 /var/lib/teren /var/lib/teren/backups /var/lib/teren/files
COPY --from=build /opt/teren /opt/teren
ENV PATH=/opt/teren/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    TEREN_SYNC_HOST=0.0.0.0 \
    TEREN_SYNC_PORT=8765 \
    TEREN_SYNC_DB=/var/lib/teren/teren-sync.db
USER 10001:10001
WORKDIR /var/lib/teren
VOLUME ["/var/lib/teren"]
EXPOSE 8765
# /health answers 200 only when the database does; no curl in the image: Python's urllib.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('TEREN_SYNC_PORT', '8765') + '/health', timeout=4)"]
ENTRYPOINT ["teren-sync"]
CMD ["serve"]
