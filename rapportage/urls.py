from django.urls import path

import vpcase.converters  # noqa: F401 (registers <id:…>, <jaar:…> and <org:…>)

from .views import activiteiten, hr, jaarverslag

app_name = "rapportage"

urlpatterns = [
    path("hr/", hr.hr_index_view, name="hr_index"),
    path("hr/<uuid:public_id>/pdf/", hr.hr_pdf_view, name="hr_pdf"),
    path("hr/<uuid:public_id>/csv/", hr.hr_csv_view, name="hr_csv"),
    path("hr/<uuid:public_id>/xlsx/", hr.hr_xlsx_view, name="hr_xlsx"),
    path("dashboard/rapportage/", jaarverslag.index_view, name="index"),
    path(
        "dashboard/rapportage/activiteiten-en-signalen/",
        activiteiten.overzicht_view,
        name="overzicht",
    ),
    path(
        "dashboard/rapportage/activiteiten/nieuw/",
        activiteiten.activiteit_create_view,
        name="activiteit_create",
    ),
    path(
        "dashboard/rapportage/activiteiten/<id:pk>/",
        activiteiten.activiteit_edit_view,
        name="activiteit_edit",
    ),
    path(
        "dashboard/rapportage/signalen/nieuw/",
        activiteiten.signaal_create_view,
        name="signaal_create",
    ),
    path(
        "dashboard/rapportage/signalen/<id:pk>/",
        activiteiten.signaal_edit_view,
        name="signaal_edit",
    ),
    path(
        "dashboard/rapportage/<str:kind>/<id:pk>/verwijderen/",
        activiteiten.delete_view,
        name="delete",
    ),
    path("dashboard/rapportage/<org:slug>/<jaar:jaar>/", jaarverslag.verslag_view, name="verslag"),
    path(
        "dashboard/rapportage/<org:slug>/<jaar:jaar>/aanbevelingen/",
        jaarverslag.aanbevelingen_view,
        name="aanbevelingen",
    ),
    path(
        "dashboard/rapportage/<org:slug>/<jaar:jaar>/maken/", jaarverslag.build_view, name="build"
    ),
    path(
        "dashboard/rapportage/<org:slug>/<jaar:jaar>/status/",
        jaarverslag.status_view,
        name="status",
    ),
    path("dashboard/rapportage/<org:slug>/<jaar:jaar>/pdf/", jaarverslag.pdf_view, name="pdf"),
    path(
        "dashboard/rapportage/<org:slug>/<jaar:jaar>/publiceren/",
        jaarverslag.publish_view,
        name="publish",
    ),
    path(
        "dashboard/rapportage/<org:slug>/<jaar:jaar>/intrekken/",
        jaarverslag.withdraw_view,
        name="withdraw",
    ),
]
