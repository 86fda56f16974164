"""Synchronizer CSRF tokens: each session has one random token, rendered in every form and checked on every
POST (decision 0080). SameSite=Lax already keeps the cookie off cross-site POSTs; this is the second lock."""

from __future__ import annotations

import hmac

from portal.sessions import PortalSession


class CsrfRejected(Exception):
    """The POST did not carry this session's token (or there is no session): answered 403."""


def check(session: PortalSession | None, submitted: str | None) -> None:
    if session is None or not submitted or not hmac.compare_digest(session.csrf.encode(), submitted.encode()):
        raise CsrfRejected
