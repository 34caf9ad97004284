from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "vpcase.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self):
        from . import roles

        # Once per migrate (sender: this app), after every app's migrations.
        post_migrate.connect(roles.after_migrate, sender=self, dispatch_uid="audit-app-role")
