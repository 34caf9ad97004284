from django.urls import path

from . import views

app_name = "meldingen"

urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
]
