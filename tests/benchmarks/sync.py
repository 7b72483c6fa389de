"""Benchmark of sync: one device pushes N records, a second device of the same team pulls them all.

    .venv/bin/python tests/benchmarks/sync.py [--quick] [--records N] [--no-postgres] [--repeat N]
                                              [--profile DIR]

Full: 100,000 records (half contacts, half visits), three runs per backend (``--repeat``), medians
reported; ``--quick``: 10,000 records, one run (under a minute).
Each backend gets a fresh service, run as its own process (``teren-sync serve``) on 127.0.0.1:
a SQLite file, then a throw-away PostgreSQL database ``teren_bench_<random>`` on 127.0.0.1:5432
(created and dropped here; nothing is written to any other database).

The writer's store is filled first (``Store.save``: record, outbox row, search row; not timed), then:

- push_records_per_s: records acknowledged by the service per second of ``SyncEngine.sync()`` on
  the writer (reading the outbox, building and packing batches, HTTP, the service's merge and
  commit, deleting the outbox rows; the client's default batch size).
- pull_records_per_s: records merged into the reader's store per second of its first
  ``SyncEngine.sync()`` (every page of the team's data, merged and indexed for search).
- wire_bytes_per_visit: bytes of HTTP bodies as they travel (zstd or gzip where used: request and
  response content lengths) of the push batches holding only visits, request plus answer, per visit.
  ``pull_wire_bytes_per_visit``: the same for the pull pages holding only visits (contacts are
  written first, so only the batch and the page where they end are mixed).
  ``push_request_bytes_per_visit`` / ``push_answer_bytes_per_visit``: its two
  parts. ``wire_bytes_per_record_push`` / ``_pull``: over every record.
- json_paths (SQLite runs): the device's JSON through orjson and through the standard library's
  json (``fieldapp.jsonfast``, ``TEREN_JSON=stdlib``; a phone without orjson), each pushing and
  pulling the same number of records with devices of its own: ``push_records_per_s``,
  ``pull_records_per_s`` and the device's CPU per record (``push_client_us_per_record``…).
- checksum_ms: the reader's share of verifying its checksum after the pull (its per-kind sums over
  every record it holds: ``fieldapp.sync.verify.local_sums``, best of 3); each sync also verified
  (the writer's and the reader's must say ``ok``), inside the push and pull times.
- raw_sqlite_insert_rows_per_s: a bare ``sqlite3`` ``executemany`` of the same rows (the records'
  field values) into plain tables of a new SQLite file, one transaction; ``push_to_raw_ratio`` is
  the push rate divided by it (the ceiling this design can approach).
- server_peak_rss_mb: VmHWM of the service process at the end. client_peak_rss_mb: the larger VmHWM
  of the two devices' processes: each syncs in a fresh process of its own (the store filled and
  enrolled beforehand), so the figure is the sync's footprint, not the benchmark's.

``--profile DIR``: py-spy (the venv's, else the one on PATH) samples the service process during
push and during pull (raw collapsed stacks in DIR) and cProfile records the client side (``.prof``
files in DIR).
Issue 24's Must-hold targets (``TARGETS``) are printed as met or not, and given in the result's
``targets``: ``push_to_raw_ratio`` >= 0.25, ``pull_records_per_s`` >= 80,000 (SQLite), PostgreSQL's
push rate >= 0.8 x SQLite's (``pg_push_to_sqlite_ratio``), ``wire_bytes_per_visit`` <= 60.
The LAST line printed is one JSON object.

``push_server_us_per_record`` and the like: CPU time of the service process and of this process
during push and pull, per record (steadier than the rates on a shared machine).

Where the time goes (after the rewrite of 2026-11-23; CPU per record, medians of 2,000-record
batches, measured in-process on this 2-core machine, SQLite):

- push, service ~36 us (second round, 2026-11-23; was ~45): a py-spy profile of a 50,000-record
  push gives SQLite's insert into ``record`` (4 indexes since service migration 0003 dropped the
  id-only one; rows inserted in seq order) ~21% and commit ~6%, ``parse_push`` ~15%, the per-change
  merge ~17% of which the field checks ~6% (one generated check per record type, ~2-2.7 us a
  record instead of 5.5-7.3), building the rows ~7%, erasure lookups ~7%, reading the body and
  HTTP the rest. ``teren-sync serve`` freezes its start-up objects for the collector (full
  collections walked every loaded module: ~0.8 s of 5.7 s CPU over 60,000 records).
  Third round (afternoon, on a machine shared with other benchmarks, so only relative figures):
  erased contacts are listed in ``erased_contact`` (service migration 0004, written in the
  erasure's transaction), so a batch no longer parses the JSON of every contact its visits name:
  ``sync.server.erasure.forget_erased_people`` ~3.6 -> ~1.7 us a record (contacts and visits
  together); pushed HLCs
  of the common form are checked with one regex (~0.7 us less). In-process ``parse_push`` +
  ``apply_batch``, 6 interleaved runs of 20 batches each: median ~47 -> ~41 us a record (runs
  ranged 29-64 with the machine's load).
- push, client ~30 us CPU in all, ~20 on the syncing thread: reading the records with per-model
  plans (``fieldapp.sync.outgoing``) ~11 (sqlite3 hands back ~28 columns a row at ~0.25 us each: ~7 of it),
  grouping the outbox ~1.5, orjson ~2 and gzip ~2.7 (all but the cursor, while the previous batch
  travels), deleting acknowledged outbox rows ~1.5, after the next batch has left. The service
  therefore waits only for the HTTP round trip between batches. Third round (2026-11-23 13:00):
  ``SyncEngine.sync`` collects young objects less often (``sync.gc_tuning``): gc callbacks showed
  13.0 us a record spent in collections during a 20,000-record push, 0.5 after; and the outbox
  is read a window (20,000 rows) at a time while a batch travels, where before the service sat
  idle ~0.3 s at every window while the device read and grouped it.
- pull, service ~10 us: one SELECT per page with the stored JSON spliced in (no parsing), gzip 3.
- pull, client, row by row (the rewrite; still the path of every later pull): a contact cost ~50 us
  (its table with 7 indexes ~13, the full-text row ~15, the spatial index ~8 since migration 0007,
  building the row ~11), a visit ~25 us. The next page is fetched while one is merged.
- pull, client, first pull in bulk (2026-11-23, ``fieldapp.store.bulk``): a table still empty when
  a fresh device's first pull reaches it gets only its rows and primary key per page; its 7
  secondary indexes (``CREATE INDEX`` sorts), the contacts' search rows (one ``INSERT … SELECT``,
  printable ASCII folded in SQL) and R*Tree entries (one fill) are built once after the last page,
  with a 32 MB page cache. Rows are built by a function compiled per model (``fieldapp.sync.apply``).
  Measured while the machine was shared (a bare ``executemany`` ran at 50-90,000 rows/s instead of
  ~190,000, so these are ~2-3x the quiet figures; CPU per record of 20,000-100,000, minimum of
  runs): fetching thread ~14 (HTTP and gunzip 5, orjson 6, shape checks 2); per page ~20 (building
  the row 3.5, the insert into the table and its primary key 7-11, reading local copies 1.5,
  commit 1.6); after the last page ~13 a record (indexes of both tables 4, search rows 3, i.e. 6 a
  contact, R*Tree 6, i.e. 12 a contact). Side by side on that machine (``pull_client_us_per_record``,
  20,000 records, fresh readers against one service): 93-104 us before, 43-58 after; 100,000
  records: 107 -> 69 (load differed between the two runs).
- pull, client, third round (2026-12-02, machine shared with other benchmarks: rates varied 18-33,000/s
  between runs of the same code, so CPU figures and interleaved pairs only). The bulk load drops
  the spatial index's insert trigger too (``bulk_deferred`` keeps its statement for ``finish``):
  standing aside, its ``WHEN … NOT EXISTS`` still ran per row; replaying a captured 40,000-record
  pull into fresh stores (one thread), the insert went 7.2-7.7 -> 6.2-6.7 us a record.
  Where the device's time goes now (replay, one thread, no network, 40,000 / 100,000 records):
  merge ~15 us a record (insert 6-7, building rows ~3.5 of which datetimes ~1.5, commit ~2,
  reading local copies ~1), finish ~8-11 (14 ``CREATE INDEX`` ~2-4.5, R*Tree ~3, i.e. ~6.5 a
  contact, FTS ~2, its commit ~1); fetching thread ~7.5 (orjson ~2.5, shape checks ~1.2, gunzip
  ~0.8, HTTP). With the service's ~10-13 that is ~45 us of CPU a record for 2 cores: 40,000/s would
  need both cores busy all the time, but the merging thread holds the GIL for its Python and sat
  ~0.7 s of a 2.5 s pull of 40,000 in the run queue (``/proc/…/schedstat``). Tried and not kept:
  finishing a table mid-pull once a page brings none of it, with 3 pages fetched ahead (harness
  with a fresh service per pull +24%, this benchmark -6%, 6 pairs: the warm service keeps up, so
  it only moves work within the merging thread); R*Tree filled in Hilbert, Z-order or (lat, lon)
  order (95-125 ms -> 160-230 ms for 20,000 contacts); ``PRAGMA threads = 2`` (the sorts fit in
  memory; no gain), a 64 MB cache or ``mmap_size`` while finishing, FTS5 ``automerge = 0`` (no
  change); a larger ``wal_autocheckpoint`` during the load (commit -1.1 us a record, the final
  checkpoint +1.5); multi-row ``INSERT … VALUES`` (no gain); pages of 1,000 or 5,000 (no change);
  records as arrays instead of objects (orjson ~2.3 -> ~1.9 us a record in isolation: not worth a
  protocol version); a smaller ``sys.setswitchinterval`` (no gain). Full runs (100,000 records,
  ``--no-postgres``, 3 interleaved pairs, the new version first in each): pull 17,232 -> 20,100/s
  (medians; 15,631-28,115 vs 15,950-26,886), ``pull_client_us_per_record`` 38.7 -> 35.6: the ~1 us a
  record of the trigger is below what this machine's load lets a full run resolve.
- wire: a pushed visit was ~66 bytes of gzipped JSON (every field, one base HLC), ~50 in zstd since
  the seventh round; the compact answer is a few bytes per batch.
- push, fourth round (2026-12-02): new service files get 16 KiB pages (``SQLITE_PAGE_SIZE``): a push
  writes ``record`` and four indexes, and with 4 KiB pages it wrote and checkpointed ~4x as many
  pages. In-process replay of 50 captured batches (parse + apply, median of 3, machine shared):
  ~25-26.6 -> ~19-20.6 us a record. Where the service's time goes now (in-process, the service's
  collector settings, 100,000 records): parse ~5 (orjson ~3), field checks and HLCs ~4, building
  rows ~2, the insert's parameters ~2.4, ``executemany`` into ``record`` ~5, commit ~1.3, erasure
  lookups ~1; over HTTP the process spends ~5-7 more (body, gunzip, event loop). Store migration
  0011 (an index of erased contacts) takes the scan of every contact out of the end of each sync
  (~15 ms at 50,000 contacts). Tried and not kept, each measured against the code before it:
  two batches in flight (the service parses one while it writes the other; 3 interleaved pairs,
  no gain: the GIL hands the other request's parse the time ``executemany`` releases it per row,
  so the writes wait as long as they overlap); checkpoints in a background thread instead of in
  the commit that crosses ``wal_autocheckpoint`` (7 pairs: medians 16,911 vs 16,800/s); whole
  records encoded by SQLite's ``json_object`` on the device (SQLite 3.40 writes doubles with 15
  digits, so REAL columns and a check of every value's form stay in Python: ~9 us a record either
  way); 16 KiB pages on the device (no difference through the noise).
- pull, where the wall time goes (2026-12-02 afternoon, quiet machine, 100,000 records, one run:
  pull 30,233/s; each step wrapped with ``perf_counter``/``thread_time`` in the reader's process):
  the merging thread spends 1.82 s merging 50 pages (1.42 s CPU), 1.08 s in ``finish_bulk`` (15
  ``CREATE INDEX`` 0.28 s, the search rows 0.23 s, the R*Tree 0.42 s, i.e. ~8.4 us a contact, the
  commit the rest) and ~0.4 s waiting for pages; the fetching thread 1.82 s wall for 50 pages, 0.73 s
  CPU. Together the reader uses one core's worth throughout (3.27 s of CPU in 3.27 s): the pull is
  bound by the process's CPU under the GIL, and 40,000/s needs ~25% less of it or SQLite work that
  runs beside the Python (one writer per file rules out a second connection for ``finish``). Tried
  and not kept: parsing pages (orjson and the shape checks) in the merging thread instead of the
  fetching one, to spare the merge waits for the GIL (3 interleaved pairs: medians 29,926 vs
  29,976/s). What could still move it: longer stretches of SQLite work with the GIL released
  (multi-row inserts, the fifth round), a bulk-loaded R*Tree (done in the fifth round), Polish
  letters folded in SQL for the search rows (each value with a non-ASCII letter calls into Python
  now).
- fifth round (2026-12-02 evening, on a slower machine: a bare ``executemany`` ran at 93,000-142,000
  rows/s and full runs gave push ~12,000 and pull ~14,000/s, so relative figures only):
  new rows go in with one multi-row ``INSERT`` per 400 (``codec.insert_rows`` on the device,
  ``sync.server.record_rows.insert_records`` in the service on SQLite; on PostgreSQL they took
  ~3.5x as long as psycopg's
  pipelined ``executemany``, which it keeps). ``executemany`` releases the GIL for every row's step, so
  the device's page fetcher and its merging thread traded the GIL at every row; a statement of 400
  rows runs with the GIL released throughout. It is also cheaper alone: 100,000 rows of 14 columns
  into a table with 3 indexes, one thread, 1.20-1.40 s -> 0.96-1.00 s. Pull of 40,000 (5
  interleaved pairs, fresh readers against one service): median 14,519 -> 15,178/s; push of 40,000
  (4 pairs, fresh services): 11,821 -> 12,602/s, service CPU 64 -> 58 us a record. The first
  pull's R*Tree is packed into its shadow tables (``fieldapp.store.rtree_pack``): 20,000 contacts
  0.31-0.37 -> 0.17-0.20 s; pull of 40,000, 5 pairs: median 14,153 -> 15,448/s. Push is bound by the
  service: its Server-Timing for a 2,000-record batch is 142-153 ms while the device prepares the
  next in ~77 ms and the service waits ~8 ms between batches (the device marks the batch in flight,
  3 ms, and HTTP). py-spy of the service during a 40,000-record push: the inserts' SQL 15%, parsing
  18% (orjson 10, building the changes 8), per-change checks and merge 18%, the inserts' parameters
  6%, commit 6%, HTTP and the event loop ~15%. Tried and not kept: a first pull's rows inserted by
  SQLite from JSON (``INSERT … SELECT value ->> 0, … FROM json_each(?)``: every ``->>`` parses the
  row's JSON again, the insert's CPU 0.5 -> 1.65 s for 40,000; 3,000,000 doubles did round-trip
  exactly through SQLite's JSON here).
- sixth round (2026-12-02 night, a fast machine: a 10,000,000-step Python loop 0.23 s, bare
  ``executemany`` 250,000-295,000 rows/s). Before it, two full runs: SQLite push 37,497 and 34,266/s,
  pull 41,040 and 38,224/s. The pull is bound by the device's CPU (~2.2 s for 100,000 records, one
  core's worth under the GIL): per 2,000-record page, fetching took ~26 ms (the service ~16 ms, of
  which gzip ~5 ms; urllib3's gunzip ~2.9 ms; ``orjson.loads`` of the 1.4 MB page ~5.9 ms) and
  merging ~20 ms; then the deferred indexes, search rows and R*Tree ~0.64 s on one core. The service
  now answers in zstd (``sync.server.compression``) where the client accepts it, as the app's
  ``requests`` does once ``backports-zstd`` is installed: a page packs in ~1.1 ms to 89-110 KB
  instead of ~5 ms to 118-148 KB. Pull of 100,000, 5 interleaved pairs against one service: median
  44,782 -> 46,863/s, pull wire 66.8 -> 49.7 B a record, service CPU 0.78 -> 0.63 s. The R*Tree's
  layout (pure Python, ~100 ms) is planned in a thread while SQLite builds the search rows and
  indexes: finish 0.632 -> 0.585 s (medians of 9). Tried and not kept: asking for the next page as
  soon as the current one's headers announce its cursor (the merges slowed as much as the fetches
  gained: the device's CPU is the limit; 2.26 -> 2.28 s, and 2.03 -> 2.18 s once zstd was in);
  larger pages (3,000 and 5,000: no change); search rows written page by page instead of at the
  end (FTS5's incremental merges: merging +0.6 s, finish -0.2 s); a larger FTS5 ``hashsize``,
  SQLite's sorter threads (``PRAGMA threads``) and a larger page cache while pulling (no change).
- seventh round: push (2026-12-05, issue 24's Must-hold targets; the machine shared with other helpers'
  test suites and browser tests, load average 5-15 on 2 cores: a bare ``executemany`` ran at
  61,000-259,000 rows/s and the same code pushed 100,000 records in 7-40 s, so CPU per record and
  interleaved runs only). Wire: push bodies go in zstd (level 1) where the device has it (Python
  3.14's ``compression.zstd`` or ``backports.zstd``) and the service names it in its answers'
  ``Accept-Encoding`` (RFC 7694; the device keeps it in its meta, ``sync.request_codings``, so a
  sync's first batch uses it too); gzip otherwise, and after a 415 ``bad_encoding`` from a service
  that does not read zstd (an older one put back: the same batch again in gzip). The service reads
  zstd under the same cap as gzip (frames one after another, windows of at most 8 MB). A batch of
  2,000 of these visits packed: gzip 3 66 bytes a visit (~2.5-7 us), gzip 6 58 (~6 us), gzip 9 54
  (~20 us); zstd 1 50 (~0.6 us), zstd 3 55, zstd 6 52, zstd 9 50 (~13 us), zstd 19 43 (~400 us). The
  cursor goes as a second frame (~26 bytes a batch), so the body is still packed while the previous
  batch travels. ``wire_bytes_per_visit`` 65.4-66.3 -> 49.5-50.0. Tried and not kept: leaving out
  what the service ignores or defaults (``author_id``, ``device_id``, an empty ``hlcs``; fields at
  their default values): 537 or 419 bytes of JSON a visit instead of 615, but packed by zstd 49.9
  and 48.8 bytes instead of 50.2 (repeated keys cost next to nothing packed; two UUIDs, an HLC and
  two times are most of the rest), not worth a protocol change; a zstd dictionary was not tried
  (the target was met without one). PostgreSQL: a batch's new records go in with one ``COPY``
  (``record_rows._copy_in``) instead of psycopg's pipelined ``executemany``; 2,000 rows into
  ``record`` alone: ~27 -> ~11 us a row of wall time, the service's CPU ~11.5 -> ~2, the database's
  ~15 -> ~10; one ``INSERT … SELECT … FROM unnest(%s::text[], …)`` took ~70 (psycopg dumping the
  arrays) and was not kept. In-process replay of 20,000 pushed records (parse + apply, 2-3
  interleaved pairs): the service's CPU 31.4-41.0 -> 23.0-31.5 us a record, the PostgreSQL backend's
  18.5-20.0 -> 11.5-13.0. A push of a visits-only batch makes 7 round trips (counter lock, batch
  lookup, stored records, record sums, ``COPY``, answer and counter, commit): ~1 us a record at
  2,000 a batch, so none was folded further. ``--quick``, 3 interleaved pairs (medians): service CPU
  on PostgreSQL 47 -> 29 us a record, on SQLite 36 -> 38 (noise), PostgreSQL push over SQLite's 0.34
  (runs 0.24-0.93) -> 0.82 (0.77-0.93). Not met: ``push_to_raw_ratio`` >= 0.25. A push costs ~30 us
  of the service's CPU and ~26 of the device's a record (py-spy of the service, SQLite: the insert
  33%, of which the record's checksum hash 12% and SQLite's own insert ~10%, parsing 11%, checks and
  merge 10%, commit 3.5%, HTTP and the event loop most of the rest); with a core each, ~33,000/s at
  best, i.e. 0.13-0.18 of a bare ``executemany`` at 190,000-250,000 rows/s. 0.25 needs ~2x less
  Python a record on both ends (or work that leaves Python: the checksum, the row building).
  Tried and not kept: each model's hashed values taken by a generated function instead of a merge
  with the defaults, an ``itemgetter`` and ``digest``'s pass (``sync.checksum.record_hash``: 4.0 ->
  3.5 us, minimum of 15 interleaved runs: not worth generated code).
- seventh round: pull (2026-12-05, a machine shared with other helpers' test suites and benchmarks:
  load average 3-15 on 2 cores, a page's orjson 2-4x the sixth round's figures, so CPU per record and
  interleaved pairs only). Before it, replaying 20 captured pages of 40,000 records into fresh stores
  (one process, no network): ``orjson.loads`` ~6.5-11 us a record, the hash of every pulled record for
  the checksum (``note_hashes``, never listed above) ~4.5, building rows ~3.4, shape checks ~0.8-1.7,
  then the insert, commit and finish. A first pull now asks for its empty tables in columns
  (``sync.protocol.ColumnPage``, ``?columns=``; only with the same ``X-Teren-Schema``): per type the
  column names once, each record as an array in the store's column order, its values in the stored
  form, built by the service with the device's own row builder (moved to ``sync.stored_rows``, so both
  paths write the same rows by construction), and each record's stored hash. The device checks the
  page a column at a time (``map``) and hands the arrays to the multi-row ``INSERT`` (a savepoint: a
  row hitting a record held already sends that page back as records, merged by LWW); the checksum sums
  the service's hashes, and 64 stored rows spread over the pull are hashed again
  (``verify._spot_check``: rows stored otherwise than the hashes say are summed from the table and
  repaired). Pages are half the size (~760 KB for 2,000 records), ``orjson.loads`` ~1.7-4 us a record.
  Replay of 40,000 (CPU of the whole pull, pairs): 1.03 -> 0.61 s, 0.99 -> 0.51 s. The service spends
  ~5 us a record more (``orjson.loads`` of the stored JSON ~1.5, the row ~3; in-process, SQLite: ~12-14
  us a page's record either way, its query with SQLAlchemy's rows ~3.4 of it): the work moves from the
  device to the service, and the hashes go; on a phone, whose service runs elsewhere, the device's
  CPU is what counts. The device fetches one page further ahead (``pull.PAGES_AHEAD``: the service
  builds the next page while the device decodes one and merges another); over HTTP, 40,000 records,
  fresh readers against one service, 4 interleaved pairs: median 19,156 -> 22,326/s. Tried and not
  kept: the service building the next columns page as soon as one is answered (per device and
  cursor): 40,000 records, 5 pairs, 15,268 -> 18,242/s, but its CPU 12.8 -> 15.0 us a record (two
  threads under its GIL), and in ``--records 20000 --no-postgres`` runs, 3 rounds interleaved with
  main: 14,029/s with it, 23,104/s without, 13,987/s main (pull CPU a record, device/service: 20.0/14.5,
  18.8/13.5, 32.1/8.5); pages of 5,000 in columns (pairs 33,300 vs 32,900/s); the rows read through
  the DBAPI cursor instead of SQLAlchemy's (~0.4 us a row); ``INSERT … SELECT`` pivoting ``json_tree``
  of the page's rows (``GROUP BY parent``): 44 us a contact against 4.2 for the multi-row ``INSERT``
  from Python lists (``json_each`` with ``->>``: 19.7). Full runs (100,000, ``--no-postgres --repeat
  1``, interleaved with main, load average 6-15 on the 2 cores throughout): this round's final code,
  2 pairs, pull 7,494 and 27,964/s against main's 11,211 and 6,336/s; with the service's page built
  ahead, 3 pairs, 7,357 / 18,878 / 6,465 against 12,341 / 15,923 / 15,138: rates that follow the
  machine's load (push, unchanged, ranged 3,514-13,721/s in the same runs), not the code. The CPU a
  pulled record, medians of the 5 pairs: device 31.7 -> 20.0 us, service 8.4 -> 14.9, together 40.1
  -> 34.9; the device with the standard library's json 33.4-35.5 -> 20.2-21.5; pull wire 50.7 ->
  56.0 B a record (every column, stored datetimes); the device's peak 197 -> 184 MB.
  What blocks 80,000/s here: per record the service needs ~13-15 us of CPU in columns (query and rows
  ~3.4, the stored row ~5, HTTP, zstd and JSON the rest) and the device ~19-20 (the multi-row insert
  ~6-7 and commit ~1-2, the deferred indexes, search rows and R*Tree ~6-8, the page's JSON ~2-4):
  ~33-35 us of CPU a record on 2 cores is at most ~60,000/s with both cores free and perfectly
  overlapped, and the device's SQLite work (insert and finish, ~13 us) has no Python left to remove.
- The machine's speed wanders: within an hour a bare ``executemany`` ran at 182,000-340,000 rows/s
  and ten runs of the same code gave SQLite push 21,092-31,695/s and pull 26,614-40,989/s. Hence
  three runs per backend (``--repeat``) and medians.

Full runs, seventh round (``--records 100000 --repeat 3``, 2026-12-05 12:28-13:20, the machine
loaded as said above: rates unusable, CPU per record steadier). This round, then the code before it
(772ec53), then this round again: wire 49.9 / 66.3 / 49.9 B a visit; service CPU a pushed record on
SQLite 33.3 / 33.5 / 34.5 us, on PostgreSQL 30.5 / 41.1 / 32.3 us; the device's 26.6 / 27.8 / 27.9;
SQLite push 9,340 / 7,086 / 10,280/s (runs 4,375-14,823), PostgreSQL 7,672 / 5,883 / 5,500/s,
their ratio 0.82 / 0.83 / 0.54 (the last PostgreSQL runs met a bare ``executemany`` at 50,000-99,000
rows/s, the SQLite runs before them 77,000-203,000). Alternating pushes of 20,000 records (fresh
services, 3 pairs each): PostgreSQL over SQLite 0.53-1.27 (median 1.26) with this round, 0.77-1.00
(0.99) before it, the service's CPU on PostgreSQL 30.5-32.0 us (SQLite 31.5-34.5) against 37.0-41.5
(32.5-34.5) before: on this machine the rate ratio is the load's, not the code's.

Full run, fourth round (100,000 records, 3 runs per backend, medians; 2026-12-02 12:07-12:10, after the
other benchmarks had stopped): SQLite push 27,626/s (runs 27,626 / 26,412 / 29,912), pull 30,215/s
(26,081 / 37,861 / 30,215); PostgreSQL push 18,368/s, pull 17,248/s; 65.3 B/visit; service 114 MB,
device 149 MB. CPU per record: push service 28.5, client 24.0; pull service 9.5, client 32.7. The
same code in a single fast run ten minutes earlier: push 36,623/s, pull 40,236/s. The code before this
round (3a3821e), ten runs interleaved with ten of this round's: push medians 25,884 -> 27,106/s,
pull 36,635 -> 30,014/s; with one service and fresh readers of each version taking turns (4 rounds),
pull 34,859 (before) and 34,772/s (after): the device's pull did not change, the spread is the
machine's.

Full run, second round (100,000 records, quiet machine, 2026-11-23 10:59): SQLite push 18,825/s,
pull 25,520/s; PostgreSQL push 13,734/s, pull 11,965/s; 66.5 B/visit; service 113 MB, device
145 MB (the 32 MB cache of the bulk finish). CPU per record: push service 35.9, client 30.3; pull
service 10.5, client 37.6. Push is bound by the service, pull by the device's store.
First round (07:33): SQLite push 11,039/s, pull 13,796/s; PostgreSQL 7,651/7,694; 65.9 B/visit.
Before (the same day, 10,000 records, quiet machine): push 2,594/s, pull 3,509/s, 130.8 B/visit.
The ceiling this design meets is the per-record Python work on both ends plus the device's indexes
(search, map, list order), not the wire: a bare ``executemany`` into a plain table does ~190,000
rows/s here.
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import json
import multiprocessing as mp
import os
import re
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import orjson
import psycopg
import requests

from fieldapp import jsonfast
from fieldapp.model import Contact, Visit
from fieldapp.model.registry import RECORD_TYPES, to_wire
from fieldapp.store import Store
from fieldapp.store.db import raw
from fieldapp.sync import HttpTransport, SyncEngine
from fieldapp.sync.verify import local_sums
from sync.protocol import DEFAULT_PULL_PAGE, MAX_CHANGES_PER_BATCH
from sync.server import accounts
from sync.server.compression import zstd
from sync.server.db import Database

PG_HOST = "postgresql://postgres@127.0.0.1:5432"
PG_ADMIN = f"{PG_HOST}/postgres"
VENV_BIN = Path(sys.executable).parent
STREETS = ("Piotrkowska", "Narutowicza", "Kilińskiego", "Zielona", "Wólczańska", "Próchnika")
OUTCOMES = ("not_home", "talked", "come_back", "refused")


def mb(kib: int) -> float:
    return round(kib / 1024, 1)


def vm_hwm_kib(pid: int | str = "self") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


@dataclass(frozen=True)
class Cpu:
    server: float
    client: float

    def __sub__(self, other: Cpu) -> Cpu:
        return Cpu(self.server - other.server, self.client - other.client)


def cpu_seconds(pid: int) -> Cpu:
    """CPU seconds used so far by the service process and by this process (all threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return Cpu((int(fields[11]) + int(fields[12])) / ticks, time.process_time())


@dataclass
class Exchange:
    method: str
    path: str
    sent: int
    received: int
    #: Records the exchange carried (push: changes sent; pull: records received), and how many of
    #: them were visits. Push bodies are kept (gzipped, small) and counted after the timed phase.
    records: int = 0
    visits: int = 0
    body: bytes = b""
    #: The push body's content coding (``gzip``, ``zstd``).
    encoding: str = ""

    def count(self) -> None:
        if self.body:
            unpack = zstd.decompress if self.encoding == "zstd" else gzip.decompress
            changes = orjson.loads(unpack(self.body))["changes"]
            self.records = len(changes)
            self.visits = sum(1 for change in changes if change["record_type"] == "visit")
            self.body = b""

    @property
    def only_visits(self) -> bool:
        return self.records > 0 and self.records == self.visits


class CountingSession(requests.Session):
    """A requests session that notes the body bytes of every request and answer as sent."""

    def __init__(self) -> None:
        super().__init__()
        self.exchanges: list[Exchange] = []

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        response = super().request(method, url, *args, **kwargs)
        body = response.request.body or b""
        sent = len(body.encode() if isinstance(body, str) else body)
        length = response.headers.get("content-length")
        received = int(length) if length and length.isdigit() else len(response.content)
        path = requests.utils.urlparse(str(url)).path
        exchange = Exchange(str(method), path, sent, received)
        if path == "/v1/push" and isinstance(body, bytes):
            exchange.body = body
            exchange.encoding = response.request.headers.get("Content-Encoding", "")
        elif path == "/v1/pull":
            exchange.records, exchange.visits = pulled_counts(response.content)
        self.exchanges.append(exchange)
        return response


def pulled_counts(page: bytes) -> tuple[int, int]:
    """Records and visits of a pull page, counted in its bytes (no parsing in the timed process):
    records by their ``record_type``, rows in columns (``sync.protocol.ColumnPage``) by the commas
    of each type's ``hashes`` list, the last key of its table."""
    records = page.count(b'"record_type":')
    visits = page.count(b'"record_type":"visit"')
    for found in re.finditer(rb'"([a-z_]+)":\{"columns":\[', page):
        start = page.index(b'"hashes":[', found.end()) + len(b'"hashes":[')
        end = page.index(b"]", start)
        rows = page.count(b",", start, end) + 1 if end > start else 0
        records += rows
        visits += rows if found.group(1) == b"visit" else 0
    return records, visits


@dataclass
class Service:
    process: subprocess.Popen[bytes]
    url: str
    log: Path
    profilers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def peak_rss_kib(self) -> int:
        return vm_hwm_kib(self.process.pid)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_service(database: str, folder: Path, port: int) -> Service:
    log = folder / f"service-{port}.log"
    process = subprocess.Popen(
        [
            str(VENV_BIN / "teren-sync"),
            "serve",
            "--db",
            database,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the service exited: {log.read_text()[-2000:]}")
        try:
            if requests.get(f"{url}/health", timeout=1).ok:
                return Service(process, url, log)
        except requests.RequestException:
            pass
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("the service did not start in 30 s")


def start_py_spy(pid: int, out: Path) -> subprocess.Popen[bytes]:
    spy = VENV_BIN / "py-spy"
    profiler = subprocess.Popen(
        [
            str(spy) if spy.exists() else "py-spy",  # else on PATH
            "record",
            "--pid",
            str(pid),
            "--rate",
            "250",
            "--format",
            "raw",
            "--output",
            str(out),
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(0.5)  # attach before the timed phase
    return profiler


def stop_py_spy(profiler: subprocess.Popen[bytes]) -> None:
    profiler.send_signal(signal.SIGINT)
    try:
        profiler.wait(30)
    except subprocess.TimeoutExpired:
        profiler.kill()


# -- the data --------------------------------------------------------------------------------


def make_records(count: int, user_id: str | None) -> tuple[list[Contact], list[Visit]]:
    """Half contacts, half visits (one per contact), in the shape the field app writes them."""
    half = count // 2
    now = datetime.now(UTC).replace(microsecond=0)
    contacts = [
        Contact(
            kind="resident",
            name=f"Osoba {n}",
            street=STREETS[n % len(STREETS)],
            house_number=str(n % 200 + 1),
            city="Łódź",
            lat=51.75 + (n % 1000) * 1e-5,
            lon=19.45 + (n % 777) * 1e-5,
            phone=f"+48 600 {n % 1000:03d} {n % 997:03d}",
            notes="Rozmowa o podwórku" if n % 3 == 0 else "",
        )
        for n in range(half)
    ]
    visits = [
        Visit(
            contact_id=contacts[n].id,
            street=contacts[n].street,
            house_number=contacts[n].house_number,
            visited_at=now - timedelta(minutes=n),
            lat=contacts[n].lat,
            lon=contacts[n].lon,
            outcome=OUTCOMES[n % len(OUTCOMES)],
            animator_id=user_id,
        )
        for n in range(count - half)
    ]
    return contacts, visits


def fill(store: Store, records: list[Any]) -> None:
    for start in range(0, len(records), 5000):
        with store.write() as conn:
            for record in records[start : start + 5000]:
                store.save(conn, record)


def raw_sqlite_rate(folder: Path, contacts: list[Contact], visits: list[Visit]) -> float:
    """Rows per second of a bare executemany of the same field values into plain tables."""
    path = folder / f"raw-{uuid.uuid4().hex[:6]}.db"
    tables = []
    for model, records in ((Contact, contacts), (Visit, visits)):
        names = ["id", *model.data_fields()]
        rows = [tuple(_plain(to_wire(getattr(record, name))) for name in names) for record in records]
        tables.append((model.__tablename__, names, rows))  # type: ignore[attr-defined]
    db = sqlite3.connect(path)
    for table, names, _rows in tables:
        db.execute(f"CREATE TABLE {table} ({', '.join(names)})")
    db.commit()
    started = time.perf_counter()
    with db:
        for table, names, rows in tables:
            db.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(names))})", rows)
    elapsed = time.perf_counter() - started
    db.close()
    path.unlink()
    return (len(contacts) + len(visits)) / elapsed


def _plain(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, (dict, list)) else value


# -- one backend -------------------------------------------------------------------------------


@dataclass
class SyncRun:
    """One device's timed ``SyncEngine.sync()``, as its own process measured it."""

    applied: int
    pulled: int
    batches: int
    seconds: float
    cpu: Cpu
    peak_rss_kib: int
    exchanges: list[Exchange]
    #: Whether the device's JSON went through orjson (``fieldapp.jsonfast``).
    orjson: bool
    #: The sync's checksum verification (``ok`` expected) and the time of the device's sums.
    checksum: str | None = None
    checksum_s: float = 0.0


def timed_sync(store_path: Path, service_pid: int, profile: Path | None) -> SyncRun:
    """Run in a fresh process: open the device's store, sync once, and measure (wall time, CPU of
    the service and of this process, this process's peak RSS: the device's own footprint)."""
    store = Store(store_path)
    session = CountingSession()
    engine = SyncEngine(store, HttpTransport(session=session, timeout=120.0))
    client_profile = cProfile.Profile() if profile else None
    started, cpu = time.perf_counter(), cpu_seconds(service_pid)
    if client_profile:
        client_profile.enable()
    receipt = engine.sync()
    if client_profile:
        client_profile.disable()
        client_profile.dump_stats(profile)
    seconds, used = time.perf_counter() - started, cpu_seconds(service_pid) - cpu
    peak = vm_hwm_kib()
    checksum_s = verify_seconds(store)
    store.close()
    for exchange in session.exchanges:
        exchange.count()
    exchanges = session.exchanges
    return SyncRun(
        receipt.applied, receipt.pulled, receipt.batches, seconds, used, peak, exchanges, jsonfast.FAST,
        receipt.checksum, checksum_s,
    )


def verify_seconds(store: Store) -> float:
    """The device's share of proving it holds the service's records: its per-kind sums over every
    record it holds (``fieldapp.sync.verify.local_sums``; the service's are a few rows), best of 3."""
    best = float("inf")
    with store.engine.connect() as conn, conn.begin():
        for _ in range(3):
            started = time.perf_counter()
            local_sums(raw(conn), RECORD_TYPES)
            best = min(best, time.perf_counter() - started)
    return best


def run_device(
    store_path: Path,
    service_pid: int,
    profile: Path | None,
    server_profile: Path | None,
    json_path: str = "orjson",
) -> SyncRun:
    """``timed_sync`` in a child process (py-spy on the service meanwhile when profiling), its JSON
    through orjson or, with ``json_path="stdlib"``, the standard library (``TEREN_JSON``, which the
    spawned child inherits)."""
    spy = start_py_spy(service_pid, server_profile) if server_profile else None
    context = mp.get_context("spawn")
    before = os.environ.get("TEREN_JSON")
    os.environ["TEREN_JSON"] = json_path
    try:
        with context.Pool(1) as pool:
            run = pool.apply(timed_sync, (store_path, service_pid, profile))
    finally:
        if before is None:
            del os.environ["TEREN_JSON"]
        else:
            os.environ["TEREN_JSON"] = before
    if spy:
        stop_py_spy(spy)
    if run.orjson != (json_path == "orjson"):
        raise SystemExit(f"the device's JSON did not take the {json_path} path")
    return run


def run_backend(
    database: str, folder: Path, count: int, raw_rate: float, profile: Path | None, stdlib_json: bool = False
) -> dict[str, Any]:
    """Push and pull ``count`` records with orjson on the devices; with ``stdlib_json``, then again
    with the standard library's json on two more devices of another team (``stdlib_json`` in the
    result: the same service, the device's side of the figures)."""
    label = "postgres" if database.startswith("postgres") else "sqlite"
    db = Database(database)
    db.migrate()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    team = accounts.create_team(db, "Bench")
    stdlib_team = accounts.create_team(db, "Bench json") if stdlib_json else None

    def device(name: str) -> tuple[Path, str]:
        in_team = stdlib_team if name.startswith("stdlib") else team
        user = accounts.create_user(db, f"{name}-{uuid.uuid4().hex[:4]}", "animator", team_id=in_team)
        path = folder / f"{label}-{name}.db"
        store = Store(path)
        SyncEngine(store).enroll(accounts.create_enrollment(db, user, url).uri)
        if name.endswith("writer"):
            contacts, visits = make_records(count, user)
            started = time.perf_counter()
            fill(store, [*contacts, *visits])
            print(
                f"[{label}] filled the writer's store with {count} records in "
                f"{time.perf_counter() - started:.1f} s",
                flush=True,
            )
        store.close()
        return path, user

    def profile_path(name: str, suffix: str) -> Path | None:
        return profile / f"{label}-{name}.{suffix}" if profile else None

    service = start_service(database, folder, port)
    try:
        writer, _ = device("writer")
        reader, _ = device("reader")
        db.dispose()
        pid = service.process.pid
        push = run_device(
            writer, pid, profile_path("client-push", "prof"), profile_path("server-push", "txt")
        )
        print(f"[{label}] pushed {push.applied} in {push.seconds:.2f} s ({push.batches} batches)")
        pull = run_device(
            reader, pid, profile_path("client-pull", "prof"), profile_path("server-pull", "txt")
        )
        print(f"[{label}] pulled {pull.pulled} in {pull.seconds:.2f} s", flush=True)
        if push.applied != count or pull.pulled != count:
            raise SystemExit(f"[{label}] pushed {push.applied}, pulled {pull.pulled}, expected {count}")
        if (push.checksum, pull.checksum) != ("ok", "ok"):
            raise SystemExit(f"[{label}] checksums: writer {push.checksum}, reader {pull.checksum}")
        stdlib = None
        if stdlib_json:
            writer, _ = device("stdlib-writer")
            reader, _ = device("stdlib-reader")
            db.dispose()
            stdlib = (
                run_device(writer, pid, None, None, "stdlib"),
                run_device(reader, pid, None, None, "stdlib"),
            )
            print(
                f"[{label}] json: pushed {stdlib[0].applied} in {stdlib[0].seconds:.2f} s, "
                f"pulled {stdlib[1].pulled} in {stdlib[1].seconds:.2f} s",
                flush=True,
            )
            if stdlib[0].applied != count or stdlib[1].pulled != count:
                raise SystemExit(f"[{label}] json: pushed {stdlib[0].applied}, pulled {stdlib[1].pulled}")
        server_peak = service.peak_rss_kib()
    finally:
        service.stop()
    push_s, pull_s, push_cpu, pull_cpu = push.seconds, pull.seconds, push.cpu, pull.cpu
    push_http, pull_http = push, pull
    pushes = [e for e in push_http.exchanges if e.path == "/v1/push"]
    pages = [e for e in pull_http.exchanges if e.path == "/v1/pull"]
    # Per visit: over the batches and pages that held nothing but visits.
    visit_pushes = [e for e in pushes if e.only_visits]
    visit_pages = [e for e in pages if e.only_visits]
    visits_count = sum(e.visits for e in visit_pushes)
    push_visit_bytes = sum(e.sent + e.received for e in visit_pushes)
    pull_visit_bytes = sum(e.sent + e.received for e in visit_pages)
    pulled_visits = sum(e.visits for e in visit_pages)
    push_rate = push.applied / push_s
    json_paths = {}
    if stdlib is not None:
        json_paths["json_paths"] = {
            "orjson": _device_figures(push, pull, count),
            "stdlib": _device_figures(*stdlib, count),
        }
    return {
        "backend": label,
        "records": count,
        "push_s": round(push_s, 2),
        "pull_s": round(pull_s, 2),
        "push_records_per_s": round(push_rate),
        "pull_records_per_s": round(pull.pulled / pull_s),
        # The reader's sums over the ``count`` records it pulled (at 100,000: the figure).
        "checksum_ms": round(pull.checksum_s * 1000, 1),
        "wire_bytes_per_visit": round(push_visit_bytes / visits_count, 1),
        "pull_wire_bytes_per_visit": round(pull_visit_bytes / pulled_visits, 1),
        "push_request_bytes_per_visit": round(sum(e.sent for e in visit_pushes) / visits_count, 1),
        "push_answer_bytes_per_visit": round(sum(e.received for e in visit_pushes) / visits_count, 1),
        "wire_bytes_per_record_push": round(sum(e.sent + e.received for e in pushes) / count, 1),
        "wire_bytes_per_record_pull": round(sum(e.sent + e.received for e in pages) / count, 1),
        "push_requests": len(pushes),
        "pull_requests": len(pages),
        # CPU time per record (less sensitive than rates to what else runs on the machine).
        "push_server_us_per_record": round(push_cpu.server / count * 1e6, 1),
        "push_client_us_per_record": round(push_cpu.client / count * 1e6, 1),
        "pull_server_us_per_record": round(pull_cpu.server / count * 1e6, 1),
        "pull_client_us_per_record": round(pull_cpu.client / count * 1e6, 1),
        "raw_sqlite_insert_rows_per_s": round(raw_rate),
        "push_to_raw_ratio": round(push_rate / raw_rate, 4),
        "server_peak_rss_mb": mb(server_peak),
        # Each device synced in its own fresh process: its peak is the device's own footprint.
        "client_peak_rss_mb": mb(max(push.peak_rss_kib, pull.peak_rss_kib)),
        **json_paths,
    }


def _device_figures(push: SyncRun, pull: SyncRun, count: int) -> dict[str, Any]:
    """What a device's JSON path changes: its rates and its own CPU per record."""
    return {
        "push_records_per_s": round(push.applied / push.seconds),
        "pull_records_per_s": round(pull.pulled / pull.seconds),
        "push_client_us_per_record": round(push.cpu.client / count * 1e6, 1),
        "pull_client_us_per_record": round(pull.cpu.client / count * 1e6, 1),
    }


def create_pg_database() -> tuple[str, str]:
    name = f"teren_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{PG_HOST}/{name}", name


def drop_pg_database(name: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


#: Figures that count things rather than measure them: the same in every run.
_COUNTS = frozenset({"records", "push_requests", "pull_requests"})


def _median(values: list[float]) -> float:
    middle = statistics.median(values)
    return round(middle) if all(isinstance(v, int) for v in values) else round(middle, 1)


def median_of_runs(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One backend's figures over repeated runs: the median of each measured figure, the largest peak
    memory, and every run's rates (``runs``). The machine's speed wanders between runs (a bare
    ``executemany`` has ranged 195,000-340,000 rows/s here within an hour), so one run proves little."""
    result = dict(runs[0])
    for key, value in runs[0].items():
        if isinstance(value, dict):  # the JSON paths: their figures' medians, path by path
            result[key] = {
                name: {k: _median([run[key][name][k] for run in runs]) for k in figures}
                for name, figures in value.items()
            }
            continue
        if key in _COUNTS or isinstance(value, bool) or not isinstance(value, int | float):
            continue
        values = [run[key] for run in runs]
        if key.endswith("_rss_mb"):
            result[key] = max(values)
        elif isinstance(value, int):
            result[key] = round(statistics.median(values))
        else:
            result[key] = round(statistics.median(values), 4 if key == "push_to_raw_ratio" else 1)
    rates = ("push_records_per_s", "pull_records_per_s", "raw_sqlite_insert_rows_per_s")
    result["runs"] = [{key: run[key] for key in rates} for run in runs]
    return result


def run_repeated(
    backend: str, folder: Path, count: int, records: tuple[list[Contact], list[Visit]], repeat: int,
    profile: Path | None,
) -> dict[str, Any]:
    """``run_backend`` ``repeat`` times, each with a fresh service database and fresh devices, the bare
    ``executemany`` measured again just before each run."""
    runs = []
    for n in range(repeat):
        here = folder / f"{backend}-{n}"
        here.mkdir()
        raw_rate = raw_sqlite_rate(here, *records)
        print(f"[{backend} {n + 1}/{repeat}] raw sqlite3 executemany: {raw_rate:,.0f} rows/s", flush=True)
        if backend == "sqlite":
            service_db = str(here / "service.db")
            runs.append(run_backend(service_db, here, count, raw_rate, profile, stdlib_json=True))
            continue
        url, name = create_pg_database()
        try:
            runs.append(run_backend(url, here, count, raw_rate, profile))
        finally:
            drop_pg_database(name)
    return median_of_runs(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10,000 records instead of 100,000")
    parser.add_argument("--records", type=int, help="another record count (at least 8,000)")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument(
        "--repeat", type=int, help="runs per backend, medians reported (default 3; 1 with --quick)"
    )
    parser.add_argument(
        "--profile", type=Path, help="write service (py-spy) and client (cProfile) profiles here"
    )
    args = parser.parse_args()
    count = args.records or (10_000 if args.quick else 100_000)
    repeat = args.repeat or (1 if args.quick else 3)
    if count < 4 * max(MAX_CHANGES_PER_BATCH, DEFAULT_PULL_PAGE):
        parser.error("at least 8,000 records: some batches and pages must hold only visits")
    if repeat < 1:
        parser.error("--repeat: at least 1")
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    begun = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="teren-sync-bench-") as tmp:
        folder = Path(tmp)
        records = make_records(count, None)
        result = run_repeated("sqlite", folder, count, records, repeat, args.profile)
        if not args.no_postgres:
            result["postgres"] = run_repeated("postgres", folder, count, records, repeat, args.profile)
    result["repeat"] = repeat
    # The file lane's keys (photos up and down, a cut resumed): its own script, quick version.
    from tests.benchmarks import files

    result.update(files.run(quick=True))
    result["total_s"] = round(time.perf_counter() - begun, 1)
    result["targets"] = targets(result)
    for name, target in result["targets"].items():
        print(f"target {name}: {target['value']} ({target['rule']}) {'met' if target['met'] else 'NOT met'}")
    print(json.dumps(result))


#: Issue 24's Must-hold targets: (figure, at least or at most, bound). ``pg_push_to_sqlite_ratio`` is
#: PostgreSQL's push rate over SQLite's in the same run (medians of each).
TARGETS = {
    "push_to_raw_ratio": (">=", 0.25),
    "pull_records_per_s": (">=", 80_000),
    "pg_push_to_sqlite_ratio": (">=", 0.8),
    "wire_bytes_per_visit": ("<=", 60),
}


def targets(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each Must-hold target with this run's figure (SQLite's, unless named) and whether it is met."""
    figures = {name: result[name] for name in TARGETS if name in result}
    if "postgres" in result:
        figures["pg_push_to_sqlite_ratio"] = round(
            result["postgres"]["push_records_per_s"] / result["push_records_per_s"], 3
        )
    judged = {}
    for name, value in figures.items():
        sense, bound = TARGETS[name]
        met = value >= bound if sense == ">=" else value <= bound
        judged[name] = {"value": value, "rule": f"{sense} {bound:,}", "met": met}
    return judged


if __name__ == "__main__":
    main()
