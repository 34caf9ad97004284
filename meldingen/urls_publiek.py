from django.urls import path

import vpcase.converters  # noqa: F401 (registers <id:…>, <jaar:…> and <org:…>)

from .views import publiek

app_name = "publiek"

urlpatterns = [
    path("o/<org:slug>/", publiek.organisatie_view, name="organisatie"),
    path("o/<org:slug>/poster/", publiek.poster_view, name="poster"),
    path("o/<org:slug>/contact/", publiek.contact_view, name="contact"),
    # An image's address holds its version: new content, new address.
    path("o/<org:slug>/logo/<str:versie>.png", publiek.logo_view, name="logo"),
    path("o/<org:slug>/foto/<str:versie>.jpg", publiek.foto_view, name="foto"),
    path(
        "o/<org:slug>/contact/bewaard/",
        publiek.ontvangen_bevestigen_view,
        name="ontvangen_bevestigen",
    ),
    path("postvak/", publiek.postvak_view, name="postvak"),
    path("postvak/gesprek/", publiek.postvak_gesprek_view, name="postvak_gesprek"),
    path("postvak/uitloggen/", publiek.postvak_logout_view, name="postvak_logout"),
]
