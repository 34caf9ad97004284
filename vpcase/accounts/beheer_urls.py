from django.urls import path

from .views import beheer

app_name = "beheer"

urlpatterns = [
    path("", beheer.index_view, name="index"),
    path("organisaties/", beheer.organisatie_list_view, name="organisatie_list"),
    path("organisaties/nieuw/", beheer.organisatie_create_view, name="organisatie_create"),
    path("organisaties/<int:pk>/", beheer.organisatie_edit_view, name="organisatie_edit"),
    path("accounts/", beheer.account_list_view, name="account_list"),
    path("accounts/nieuw/", beheer.account_create_view, name="account_create"),
    path("accounts/<int:pk>/", beheer.account_edit_view, name="account_edit"),
    path(
        "accounts/<int:pk>/deactiveren/", beheer.account_deactivate_view, name="account_deactivate"
    ),
    path("accounts/<int:pk>/activeren/", beheer.account_reactivate_view, name="account_reactivate"),
    path("accounts/<int:pk>/uitnodigen/", beheer.account_invite_view, name="account_invite"),
    path(
        "accounts/<int:pk>/tweestaps-reset/",
        beheer.account_otp_reset_view,
        name="account_otp_reset",
    ),
    path("accounts/<int:pk>/overdragen/", beheer.account_handover_view, name="account_handover"),
    path("audit/", beheer.audit_view, name="audit"),
]
