from django.urls import path

import vpcase.converters  # noqa: F401 (registers <id:…>, <jaar:…> and <org:…>)

from .views import (
    afspraak,
    dashboard,
    export,
    gesprek,
    inbox,
    melding,
    organisatie,
    toegang,
    vieraugen,
)

app_name = "meldingen"

urlpatterns = [
    path("", dashboard.dashboard_view, name="dashboard"),
    path("meldingen/", dashboard.melding_list_view, name="list"),
    path("meldingen/zoeken/", dashboard.melding_search_view, name="search"),
    path("meldingen/zoeken/wissen/", dashboard.melding_search_clear_view, name="search_clear"),
    path("meldingen/nieuw/", melding.melding_create_view, name="create"),
    path("meldingen/<uuid:public_id>/", melding.melding_detail_view, name="detail"),
    path("meldingen/<uuid:public_id>/bewerken/", melding.melding_edit_view, name="edit"),
    path("meldingen/<uuid:public_id>/status/", melding.melding_status_view, name="status"),
    path("meldingen/<uuid:public_id>/afsluiten/", melding.melding_close_view, name="close"),
    path(
        "meldingen/<uuid:public_id>/bewaarplicht/",
        melding.melding_legal_hold_view,
        name="legal_hold",
    ),
    path(
        "meldingen/<uuid:public_id>/doorbreking/",
        melding.doorbreking_create_view,
        name="doorbreking",
    ),
    path("meldingen/<uuid:public_id>/geschiedenis/", melding.melding_history_view, name="history"),
    path("meldingen/<uuid:public_id>/inzage/", export.export_view, name="export"),
    path(
        "meldingen/<uuid:public_id>/afspraak.ics",
        afspraak.afspraak_ics_view,
        name="afspraak_ics",
    ),
    path(
        "meldingen/<uuid:public_id>/gesprekken/nieuw/",
        gesprek.gesprek_create_view,
        name="gesprek_create",
    ),
    path(
        "meldingen/<uuid:public_id>/gesprekken/<id:pk>/",
        gesprek.gesprek_edit_view,
        name="gesprek_edit",
    ),
    path("meldingen/<uuid:public_id>/toegang/", toegang.toegang_view, name="toegang"),
    path(
        "meldingen/<uuid:public_id>/toegang/<id:pk>/intrekken/",
        toegang.toegang_revoke_view,
        name="toegang_revoke",
    ),
    path("verzoeken/", inbox.inbox_view, name="inbox"),
    path("verzoeken/<uuid:public_id>/", inbox.verzoek_detail_view, name="verzoek"),
    path(
        "verzoeken/<uuid:public_id>/omzetten/", inbox.verzoek_convert_view, name="verzoek_convert"
    ),
    path("verzoeken/<uuid:public_id>/sluiten/", inbox.verzoek_close_view, name="verzoek_close"),
    path("sjablonen/", inbox.sjabloon_list_view, name="sjabloon_list"),
    path("sjablonen/nieuw/", inbox.sjabloon_create_view, name="sjabloon_create"),
    path("sjablonen/<id:pk>/", inbox.sjabloon_edit_view, name="sjabloon_edit"),
    path("sjablonen/<id:pk>/verwijderen/", inbox.sjabloon_delete_view, name="sjabloon_delete"),
    path(
        "organisaties/<org:slug>/",
        organisatie.organisatie_publiek_view,
        name="organisatie_publiek",
    ),
    path(
        "organisaties/<org:slug>/wie-ziet-wat/",
        organisatie.organisatie_toegang_view,
        name="organisatie_toegang",
    ),
    path("te-beslissen/", vieraugen.beslissen_view, name="beslissen"),
    path(
        "te-beslissen/lidmaatschap/<id:pk>/",
        vieraugen.lidmaatschap_beslissen_view,
        name="lidmaatschap_beslissen",
    ),
    path(
        "te-beslissen/overdracht/<id:pk>/",
        vieraugen.overdracht_beslissen_view,
        name="overdracht_beslissen",
    ),
]
