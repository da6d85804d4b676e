"""Refusals whose record must be kept: the request's session commits the audit row or revocation first."""

from __future__ import annotations

from fitjourney_common.errors import TooManyRequests, Unauthorized


class RecordedUnauthorized(Unauthorized):
    """A 401 raised only after writing exactly the record that must survive it."""

    keep_writes = True


class RecordedTooManyRequests(TooManyRequests):
    keep_writes = True
