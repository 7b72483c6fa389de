"""The file lane's wire format (photos, scans), shared by the device and the service.

Files move apart from records, named by the hex SHA-256 of their bytes, each request naming the
attachment record it is for (``?attachment=<id>``): the service lets a device reach a file only
through an attachment in its scope that names it, and whose person was not erased.

- ``HEAD /v1/files/<sha256>?attachment=<id>`` MUST answer ``Upload-Offset`` (bytes received so far)
  and ``Upload-Length`` (the attachment's ``size``); equal when the file is stored. Its errors carry
  their code in ``Teren-Error-Code`` (a ``HEAD`` answer has no body).
- ``PATCH`` the same address with ``Upload-Offset: <n>`` and the bytes from ``n`` on
  (``Content-Type: application/offset+octet-stream``). A cut connection keeps what arrived; the
  client asks ``HEAD`` and goes on from there. A wrong offset is 409 ``offset_mismatch`` (its answer
  carries the right ``offset``); bytes past the declared size or a file over the service's limit
  are 413 ``file_too_large``; complete bytes whose SHA-256 is not the name are 422
  ``checksum_mismatch``, and bytes that are not the type the attachment names 422 ``file_type``
  (either way what arrived is dropped).
- ``GET`` the same address sends the file; ``Range: bytes=<n>-`` (or ``<n>-<m>``) resumes a cut
  download (206 with ``Content-Range``); a range past the end is 416 ``range_not_satisfiable``;
  a file not (fully) uploaded yet is 404 ``file_not_uploaded``.
- ``GET /v1/files/<sha256>/thumbnail?attachment=<id>``: a small JPEG of a picture (404
  ``no_thumbnail`` for a PDF or a picture the service cannot read).
"""

from __future__ import annotations

from enum import StrEnum

#: The bytes a device sends in one ``PATCH`` (a cut costs at most this much again).
UPLOAD_CHUNK_BYTES = 1024 * 1024
UPLOAD_MEDIA_TYPE = "application/offset+octet-stream"
OFFSET_HEADER = "Upload-Offset"
LENGTH_HEADER = "Upload-Length"
#: A ``HEAD`` answer has no body: its error's code comes in this header.
ERROR_HEADER = "Teren-Error-Code"


class FileErrorCode(StrEnum):
    """Stable error codes of the file lane (besides ``sync.protocol.ErrorCode``'s)."""

    FILE_TOO_LARGE = "file_too_large"
    CHECKSUM_MISMATCH = "checksum_mismatch"
    OFFSET_MISMATCH = "offset_mismatch"
    FILE_NOT_UPLOADED = "file_not_uploaded"
    RANGE_NOT_SATISFIABLE = "range_not_satisfiable"
    NO_THUMBNAIL = "no_thumbnail"
    #: The bytes are not the type their attachment names (``fieldapp.model.attachment.sniff_mime``).
    FILE_TYPE = "file_type"
