"""The hash chain over the audit trail.

Every event stores sha256(the previous event's hash, the canonical form of its own stored
fields). Changing or removing an event breaks the link at that point; recomputing every hash
after it to hide that changes the latest hash (the head), which an operator keeps elsewhere
(`manage.py verify_audit --head`, docs/operations.md "The audit trail").

The chain runs in id order, so events are linked one writer at a time. On PostgreSQL the
writer takes a transaction-level advisory lock before it reads the previous hash and keeps it
until its transaction ends, so the next writer reads the row this one committed. On SQLite
every write transaction holds the database's write lock from its start (BEGIN IMMEDIATE, see
settings), which serialises writers already.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from django.db import connection

# The hash the first event links to.
GENESIS = "0" * 64
# Key of the advisory lock (pg_advisory_xact_lock): any constant nothing else uses; these are
# the first 8 bytes of sha256("vpcase.audit.chain") as a signed 64-bit number.
LOCK_KEY = int.from_bytes(hashlib.sha256(b"vpcase.audit.chain").digest()[:8], "big", signed=True)


def canonical(
    *,
    created_at: datetime,
    actor_id: int | None,
    action: str,
    target_type: str,
    target_id: str,
    organisatie_id: int | None,
) -> bytes:
    """The event's stored fields as bytes that mean one thing only (a JSON array, fixed order,
    the time in UTC to the microsecond as both databases store it)."""
    stamp = created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    fields = ["v1", stamp, actor_id, str(action), target_type, target_id, organisatie_id]
    return json.dumps(fields, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def link(previous: str, **fields) -> str:
    """The hash of an event with these fields that follows an event with hash `previous`."""
    return hashlib.sha256(previous.encode("ascii") + b"\n" + canonical(**fields)).hexdigest()


def event_hash(previous: str, event) -> str:
    return link(
        previous,
        created_at=event.created_at,
        actor_id=event.actor_id,
        action=event.action,
        target_type=event.target_type,
        target_id=event.target_id,
        organisatie_id=event.organisatie_id,
    )


def lock_and_read_head() -> str:
    """In a transaction: become the chain's only writer until it ends, and return the hash the
    next event links to. (Raw SQL: this runs for every event, and the ORM would double its
    cost.)"""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A statement of its own: the read below must take its snapshot after the wait.
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        cursor.execute("SELECT hash FROM audit_auditevent ORDER BY id DESC LIMIT 1")
        row = cursor.fetchone()
    return GENESIS if row is None else row[0]
