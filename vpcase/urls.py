from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path

from vpcase.accounts.views.auth import home_redirect

from . import views

# Dutch at /…, English at /en/…: the language lives in the address, so no language cookie.
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
]
urlpatterns += i18n_patterns(
    path("", home_redirect, name="home"),
    path("", include("vpcase.accounts.urls")),
    path("beheer/", include("vpcase.accounts.beheer_urls")),
    path("beheer/", include("meldingen.urls_beheer")),
    path("dashboard/", include("vpcase.concepten.urls")),
    path("dashboard/", include("meldingen.urls")),
    path("", include("meldingen.urls_publiek")),
    path("", include("rapportage.urls")),
    prefix_default_language=False,
)

handler400 = "vpcase.views.bad_request"
handler403 = "vpcase.views.permission_denied"
handler404 = "vpcase.views.page_not_found"
handler500 = "vpcase.views.server_error"
