"""Role checks for views. A wrong role is a 403; an unknown object is the view's 404."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from .models import Role


def role_required(*roles: Role, deny: type[Exception] = PermissionDenied) -> Callable:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            user = request.user
            # Every session is made only after the second factor; is_verified() double-checks.
            if not user.is_authenticated or not user.is_verified():
                if request.method == "POST":
                    _keep_post_after_timeout(request)
                return redirect_to_login(request.get_full_path())
            if roles and user.role not in roles:
                raise deny
            return view(request, *args, **kwargs)

        wrapped.vpcase_roles = roles  # read by the authorisation-matrix test
        return wrapped

    return decorator


def _keep_post_after_timeout(request: HttpRequest) -> None:
    """A form posted just after the session timed out: keep its text as a draft of the user
    whose session this browser had, to be restored after they log in again."""
    from django.contrib import messages
    from django.utils.translation import gettext as _

    from vpcase.concepten.stash import expired_user, stash_post

    user = expired_user(request)
    if user is not None and stash_post(request, user):
        messages.warning(
            request,
            _(
                "Your session had expired, so nothing was saved yet. Your text is kept: log in "
                "again and it will be back in the form."
            ),
        )


login_required = role_required()
admin_required = role_required(Role.ADMIN)
confidant_required = role_required(Role.CONFIDANT)
# Views of one case: for any other role the case simply does not exist (404, not 403).
case_required = role_required(Role.CONFIDANT, deny=Http404)
hr_required = role_required(Role.HR)
