from django.urls import path

from . import views

app_name = "rapportage"

urlpatterns = [
    path("", views.hr_index_view, name="hr_index"),
]
