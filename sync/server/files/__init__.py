"""Files (photos, scans) on the service: content-addressed bytes apart from the records.

``storage``: where complete files are kept (the service's disk, or S3-compatible object storage);
``uploads``: resumable uploads, checked against the attachment record and its SHA-256, and the
removal of files no live attachment names (erasure, deletion); ``thumbnails``: small JPEGs for lists.
The HTTP side is ``sync.server.routes.files``.
"""
