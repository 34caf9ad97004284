from django.urls import path

from . import views

app_name = "concepten"

# Included under /dashboard/ (vpcase/urls.py), the confidants' part of the site.
urlpatterns = [
    path("concept/", views.concept_save_view, name="save"),
    path("concept/verwijderen/", views.concept_discard_view, name="discard"),
]
