from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.apps import apps
from django.db import connection
from django.db.models import QuerySet
from django.utils.text import capfirst

from . import chain
from .models import ACCOUNT_ACTIONS, AuditEvent

# How many broken links a verification lists (it counts all of them).
BROKEN_LISTED = 20


def account_event_list() -> QuerySet[AuditEvent]:
    return (
        AuditEvent.objects.filter(action__in=ACCOUNT_ACTIONS)
        .select_related("actor", "organisatie")
        .order_by("-created_at", "-id")
    )


def with_target_labels(events: Iterable[AuditEvent]) -> list[AuditEvent]:
    """The events, each with `target_label`: a readable name of what it is about ("Vera A",
    "Annual report 2025 — Acme") instead of "user #3". One query per kind of target.

    A model opts in with an `audit_label()` method (and `audit_label_related`, the relations
    that method reads), which names an object without any of its content: a case is its
    number, never a reporter's name. Other targets, and ones that are gone, read as their
    kind and number."""
    events = list(events)
    wanted: dict[str, set[str]] = defaultdict(set)
    for event in events:
        if event.target_type and event.target_id:
            wanted[event.target_type].add(event.target_id)
    models_by_name = {model._meta.model_name: model for model in apps.get_models()}
    labels: dict[tuple[str, str], str] = {}
    for target_type, ids in wanted.items():
        model = models_by_name.get(target_type)
        if model is None or not hasattr(model, "audit_label"):
            continue
        pks = [pk for pk in ids if pk.isdigit()]
        related = getattr(model, "audit_label_related", ())
        for obj in model._default_manager.filter(pk__in=pks).select_related(*related):
            labels[(target_type, str(obj.pk))] = obj.audit_label()
    for event in events:
        key = (event.target_type, event.target_id)
        if not event.target_type:
            event.target_label = ""
        elif key in labels:
            event.target_label = labels[key]
        else:
            model = models_by_name.get(event.target_type)
            kind = model._meta.verbose_name if model is not None else event.target_type
            event.target_label = f"{capfirst(kind)} #{event.target_id}"
    return events


@dataclass(frozen=True)
class Link:
    id: int
    created_at: datetime
    hash: str


@dataclass
class Verification:
    events: int = 0
    first: Link | None = None
    head: Link | None = None
    # Events whose hash does not follow from the event before them and their own fields: the
    # event was changed, or one before it was removed or changed (first BROKEN_LISTED).
    broken: list[Link] = field(default_factory=list)
    broken_total: int = 0
    # Hashes kept elsewhere that no event in the trail carries any more.
    missing: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.broken_total and not self.missing


def chain_head() -> Link | None:
    """The latest event: its hash is what an operator keeps elsewhere."""
    row = AuditEvent.objects.order_by("-id").values_list("id", "created_at", "hash").first()
    return Link(*row) if row else None


def chain_verify(*, expect: Iterable[str] = ()) -> Verification:
    """Walk the whole trail in id order and check every link; and that each hash in `expect`
    (heads kept elsewhere earlier) is still in it."""
    result = Verification()
    wanted = {h.strip().lower() for h in expect if h.strip()}
    found = set()
    previous = chain.GENESIS
    rows = AuditEvent.objects.order_by("id").values_list(
        "id",
        "created_at",
        "actor_id",
        "action",
        "target_type",
        "target_id",
        "organisatie_id",
        "hash",
    )
    for (
        pk,
        created_at,
        actor_id,
        action,
        target_type,
        target_id,
        organisatie_id,
        stored,
    ) in rows.iterator(chunk_size=5000):
        here = Link(pk, created_at, stored)
        result.events += 1
        result.first = result.first or here
        result.head = here
        expected = chain.link(
            previous,
            created_at=created_at,
            actor_id=actor_id,
            action=action,
            target_type=target_type,
            target_id=target_id,
            organisatie_id=organisatie_id,
        )
        if stored != expected:
            result.broken_total += 1
            if len(result.broken) < BROKEN_LISTED:
                result.broken.append(here)
        if stored in wanted:
            found.add(stored)
        # Each link is checked against the stored hash before it, so a changed event is
        # reported on its own and not every event after it.
        previous = stored
    result.missing = sorted(wanted - found)
    return result


def chain_role_can_rewrite() -> bool | None:
    """Whether this process's database role could lift the triggers (it owns the audit
    table, is a member of its owner, or is a superuser). None on SQLite, which has no roles:
    whoever can write the file can do anything."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_has_role(current_user, relowner, 'MEMBER') FROM pg_class "
            "WHERE oid = %s::regclass",
            [AuditEvent._meta.db_table],
        )
        return bool(cursor.fetchone()[0])
