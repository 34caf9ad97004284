"""Check the audit trail's hash chain (for operators, and daily from beat).

    manage.py verify_audit                  walk the chain; exit 1 at a broken link
    manage.py verify_audit --expect HASH    ... and fail unless HASH (kept earlier) is in it
    manage.py verify_audit --head           print the latest event: id, time, hash

Keep the output of --head somewhere the database's owner cannot reach (docs/operations.md,
"The audit trail"): whoever owns the table can rewrite events and every hash after them, and
only a head kept elsewhere shows that.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from vpcase.audit import selectors


def when(link: selectors.Link) -> str:
    return timezone.localtime(link.created_at).isoformat(timespec="seconds")


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; --head prints the latest hash to keep elsewhere."

    def add_arguments(self, parser):
        parser.add_argument(
            "--head",
            action="store_true",
            help="Only print the latest event as '<id> <time> <hash>' (the chain is not walked).",
        )
        parser.add_argument(
            "--expect",
            action="append",
            default=[],
            metavar="HASH",
            help="A hash printed by --head earlier; fail unless an event still carries it. "
            "May be given more than once.",
        )

    def handle(self, *args, head: bool, expect: list[str], **options):
        if head:
            link = selectors.chain_head()
            if link is None:
                self.stderr.write("The audit trail is empty.")
                return
            self.stdout.write(f"{link.id} {when(link)} {link.hash}")
            return

        result = selectors.chain_verify(expect=expect)
        if selectors.chain_role_can_rewrite():
            self.stderr.write(
                "Note: this process's database role owns the audit table (or is a superuser), "
                "so it could lift the append-only triggers. Run the app as a role that does "
                "not own it (DATABASE_OWNER_URL; docs/security.md, 'Audit trail')."
            )
        if not result.intact:
            raise CommandError(describe_break(result))
        if result.head is None:
            self.stdout.write("The audit trail is empty.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit trail intact: {result.events} events, from event {result.first.id} "
                f"({when(result.first)}) to event {result.head.id} ({when(result.head)})."
            )
        )
        for kept in expect:
            self.stdout.write(f"Kept hash present: {kept.strip().lower()}")
        self.stdout.write(f"Latest hash: {result.head.hash}")


def describe_break(result: selectors.Verification) -> str:
    """One paragraph for an operator: where the chain breaks first, and what else is wrong."""
    lines = []
    if result.broken:
        first = result.broken[0]
        lines.append(
            f"Audit trail BROKEN at event {first.id} ({when(first)}): its hash does not follow "
            "from its fields and the event before it. The event was changed, or an event "
            "before it was removed or changed."
        )
        if result.broken_total > 1:
            listed = ", ".join(str(link.id) for link in result.broken)
            more = " …" if result.broken_total > len(result.broken) else ""
            lines.append(f"{result.broken_total} broken links in all, at events {listed}{more}.")
    for missing in result.missing:
        lines.append(
            f"No event carries the kept hash {missing}: the trail up to it was rewritten or "
            "removed."
        )
    lines.append(f"{result.events} events checked.")
    return "\n".join(lines)
