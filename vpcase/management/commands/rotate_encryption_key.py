"""Re-encrypt every encrypted field from the old keys to the new ones.

    OLD_SECRET_KEY=… OLD_CRYPTOGRAPHY_KEY=… SECRET_KEY=<new> CRYPTOGRAPHY_KEY=<new> \\
        python manage.py rotate_encryption_key

The new keys are the ones in the settings (the environment); the old ones come from
OLD_SECRET_KEY / OLD_CRYPTOGRAPHY_KEY (or their *_FILE variants). Rows are done in batches,
each in its own transaction; a value that already opens with the new keys is skipped, so an
interrupted run simply continues when started again. At the end every value is checked.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django_cryptography.core.signing import BadSignature
from django_cryptography.utils.crypto import InvalidToken

from vpcase.crypto import cipher, encrypted_fields
from vpcase.settings import env_secret


class Command(BaseCommand):
    help = "Re-encrypt all encrypted fields from OLD_SECRET_KEY/OLD_CRYPTOGRAPHY_KEY to the current keys."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument(
            "--max-rows",
            type=int,
            default=0,
            help="Stop after this many re-encrypted values (to test resuming).",
        )

    def handle(self, *args, batch_size: int, max_rows: int, **options):
        old_secret = env_secret("OLD_SECRET_KEY")
        old_crypto = env_secret("OLD_CRYPTOGRAPHY_KEY")
        if not old_secret or not old_crypto:
            raise CommandError(
                "Set OLD_SECRET_KEY and OLD_CRYPTOGRAPHY_KEY to the keys in use now."
            )
        old = cipher(secret_key=old_secret, cryptography_key=old_crypto)
        new_crypto = settings.CRYPTOGRAPHY_KEY_CONFIGURED
        new = cipher(secret_key=settings.SECRET_KEY, cryptography_key=new_crypto)
        if (old_secret, old_crypto) == (settings.SECRET_KEY, new_crypto):
            raise CommandError("The new keys are the same as the old ones.")

        done = 0
        for model, fields in encrypted_fields():
            table = connection.ops.quote_name(model._meta.db_table)
            columns = [f.column for f in fields]
            select = ", ".join(connection.ops.quote_name(c) for c in columns)
            last_id = 0
            while True:
                with transaction.atomic():
                    with connection.cursor() as cursor:
                        # Identifiers come from model metadata and are quoted; values are params.
                        cursor.execute(  # nosemgrep: vpcase-no-formatted-sql
                            f"SELECT id, {select} FROM {table} WHERE id > %s ORDER BY id LIMIT %s",  # noqa: S608  # nosec B608
                            [last_id, batch_size],
                        )
                        rows = cursor.fetchall()
                        if not rows:
                            break
                        for row_id, *values in rows:
                            updates = {}
                            for column, value in zip(columns, values, strict=True):
                                if value is None:
                                    continue
                                value = bytes(value)
                                if self._opens(new, value):
                                    continue
                                plain = old.decrypt(value)
                                updates[column] = new.encrypt(plain)
                            if updates:
                                sets = ", ".join(
                                    f"{connection.ops.quote_name(c)} = %s" for c in updates
                                )
                                cursor.execute(  # nosemgrep: vpcase-no-formatted-sql
                                    f"UPDATE {table} SET {sets} WHERE id = %s",  # noqa: S608  # nosec B608
                                    [*updates.values(), row_id],
                                )
                                done += len(updates)
                            last_id = row_id
                            if max_rows and done >= max_rows:
                                self.stdout.write(f"Stopped after {done} values (--max-rows).")
                                return
            self.stdout.write(f"{model._meta.label}: done")
        self.stdout.write(f"{done} values re-encrypted.")
        failures = self._verify(new)
        if failures:
            raise CommandError(f"{failures} values do not open with the new keys.")
        self.stdout.write(self.style.SUCCESS("Every encrypted value opens with the new keys."))

    @staticmethod
    def _opens(cipher_, value: bytes) -> bool:
        try:
            cipher_.decrypt(value)
        except (BadSignature, InvalidToken, ValueError):
            return False
        return True

    def _verify(self, new) -> int:
        failures = 0
        for model, fields in encrypted_fields():
            table = connection.ops.quote_name(model._meta.db_table)
            select = ", ".join(connection.ops.quote_name(f.column) for f in fields)
            with connection.cursor() as cursor:
                sql = f"SELECT {select} FROM {table}"  # noqa: S608  # nosec B608
                cursor.execute(sql)
                for row in cursor.fetchall():
                    for value in row:
                        if value is not None and not self._opens(new, bytes(value)):
                            failures += 1
        return failures
