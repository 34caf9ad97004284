from django.urls import path

from .views import account, auth

app_name = "accounts"

urlpatterns = [
    path("inloggen/", auth.login_view, name="login"),
    path("inloggen/code/", auth.verify_view, name="verify"),
    path("inloggen/tweestaps/", auth.enrol_view, name="enrol"),
    path(
        "inloggen/wachtwoord-vergeten/",
        auth.password_reset_request_view,
        name="password_reset",
    ),
    path(
        "inloggen/wachtwoord-vergeten/<str:uidb64>/<str:token>/",
        auth.password_reset_link_view,
        name="password_reset_link",
    ),
    path("uitloggen/", auth.logout_view, name="logout"),
    path("uitnodiging/<str:token>/", auth.invitation_view, name="invitation"),
    path("account/", account.profile_view, name="profile"),
    path("account/wachtwoord/", account.password_change_view, name="password_change"),
    path("account/reservecodes/", account.backup_codes_view, name="backup_codes"),
    path("account/kennisgevingen/", account.kennisgevingen_view, name="kennisgevingen"),
    path(
        "account/kennisgevingen/gelezen/",
        account.kennisgevingen_gelezen_view,
        name="kennisgevingen_gelezen",
    ),
]
