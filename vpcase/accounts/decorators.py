"""Role checks for views. A wrong role is a 403; an unknown object is the view's 404."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from .models import Role


def role_required(*roles: Role) -> Callable:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            user = request.user
            # Every session is made only after the second factor; is_verified() double-checks.
            if not user.is_authenticated or not user.is_verified():
                return redirect_to_login(request.get_full_path())
            if roles and user.role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.vpcase_roles = roles  # read by the authorisation-matrix test
        return wrapped

    return decorator


login_required = role_required()
admin_required = role_required(Role.ADMIN)
confidant_required = role_required(Role.CONFIDANT)
hr_required = role_required(Role.HR)
