from django.urls import path

from .views import publiek

app_name = "publiek"

urlpatterns = [
    path("o/<slug:slug>/", publiek.organisatie_view, name="organisatie"),
    path("o/<slug:slug>/poster/", publiek.poster_view, name="poster"),
    path("o/<slug:slug>/contact/", publiek.contact_view, name="contact"),
    path("postvak/", publiek.postvak_view, name="postvak"),
    path("postvak/gesprek/", publiek.postvak_gesprek_view, name="postvak_gesprek"),
    path("postvak/uitloggen/", publiek.postvak_logout_view, name="postvak_logout"),
]
