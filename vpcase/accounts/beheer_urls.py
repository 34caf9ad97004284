from django.urls import path

import vpcase.converters  # noqa: F401 (registers <id:…>, <jaar:…> and <org:…>)
from vpcase.instellingen.views import instellingen_view

from .views import beheer

app_name = "beheer"

urlpatterns = [
    path("", beheer.index_view, name="index"),
    path("organisaties/", beheer.organisatie_list_view, name="organisatie_list"),
    path("organisaties/nieuw/", beheer.organisatie_create_view, name="organisatie_create"),
    path("organisaties/<id:pk>/", beheer.organisatie_edit_view, name="organisatie_edit"),
    path("accounts/", beheer.account_list_view, name="account_list"),
    path("accounts/nieuw/", beheer.account_create_view, name="account_create"),
    path("accounts/<id:pk>/", beheer.account_edit_view, name="account_edit"),
    path(
        "accounts/<id:pk>/deactiveren/", beheer.account_deactivate_view, name="account_deactivate"
    ),
    path("accounts/<id:pk>/activeren/", beheer.account_reactivate_view, name="account_reactivate"),
    path("accounts/<id:pk>/uitnodigen/", beheer.account_invite_view, name="account_invite"),
    path(
        "accounts/<id:pk>/tweestaps-reset/",
        beheer.account_otp_reset_view,
        name="account_otp_reset",
    ),
    path(
        "vier-ogen/lidmaatschap/<id:pk>/intrekken/",
        beheer.lidmaatschap_intrekken_view,
        name="lidmaatschap_intrekken",
    ),
    path("audit/", beheer.audit_view, name="audit"),
    path("instellingen/", instellingen_view, name="instellingen"),
]
