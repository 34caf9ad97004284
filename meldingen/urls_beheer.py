"""Admin pages of the cases feature, served under /beheer/ beside core's (vpcase.urls)."""

from django.urls import path

import vpcase.converters  # noqa: F401 (registers <id:…>)

from .views import beheer

app_name = "beheer_meldingen"

urlpatterns = [
    path("accounts/<id:pk>/overdragen/", beheer.account_handover_view, name="account_handover"),
    path("vier-ogen/", beheer.vier_ogen_view, name="vier_ogen"),
    path(
        "vier-ogen/overdracht/<id:pk>/intrekken/",
        beheer.overdracht_intrekken_view,
        name="overdracht_intrekken",
    ),
]
