"""vpcase settings: one module, everything from the environment (see .env.example).

VPCASE_ENV selects the mode:
- ``production`` (the default): DEBUG off, real keys required, secure cookies and HSTS.
- ``development``: DEBUG on, insecure well-known keys allowed, mail to the console.
- ``test``: like development but DEBUG off and mail kept in memory.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
env.smart_cast = False


def env_secret(name: str, default: str = "") -> str:
    """Read NAME, or the file named by NAME_FILE (Docker secrets)."""
    path = env.str(f"{name}_FILE", default="")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return env.str(name, default=default)


VPCASE_ENV = env.str("VPCASE_ENV", default="production")
if VPCASE_ENV not in {"production", "development", "test"}:
    raise ImproperlyConfigured("VPCASE_ENV must be production, development or test.")
PRODUCTION = VPCASE_ENV == "production"
TESTING = VPCASE_ENV == "test"

DEBUG = env.bool("DEBUG", default=VPCASE_ENV == "development")
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when VPCASE_ENV=production.")

# --- Keys -------------------------------------------------------------------------------
# SECRET_KEY signs sessions and is also the HMAC key of django-cryptography; CRYPTOGRAPHY_KEY
# derives the AES key of every encrypted field. Both are *data keys*: changing either without
# re-encrypting (manage.py rotate_encryption_key, later) makes case notes unreadable.
DEV_SECRET_KEY = "insecure-development-secret-key-do-not-use-in-production-0123456789"
DEV_CRYPTOGRAPHY_KEY = "insecure-development-cryptography-key-do-not-use-in-production-0123"
KNOWN_INSECURE_KEYS = {
    DEV_SECRET_KEY,
    DEV_CRYPTOGRAPHY_KEY,
    "change-me",
    "changeme",
    "secret",
    "CHANGE_ME_TO_A_LONG_RANDOM_STRING",
}
MIN_KEY_LENGTH = 50

SECRET_KEY = env_secret("SECRET_KEY")
CRYPTOGRAPHY_KEY = env_secret("CRYPTOGRAPHY_KEY")


def _check_key(name: str, value: str) -> None:
    if not value:
        raise ImproperlyConfigured(
            f"{name} is not set; production mode refuses to start. "
            "(For local work: VPCASE_ENV=development, as `make run` sets.)"
        )
    if len(value) < MIN_KEY_LENGTH:
        raise ImproperlyConfigured(
            f"{name} is shorter than {MIN_KEY_LENGTH} characters; production mode refuses to "
            "start. Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(64))'"
        )
    if value in KNOWN_INSECURE_KEYS or len(set(value)) < 10:
        raise ImproperlyConfigured(f"{name} is a default or trivial value; refusing to start.")


if PRODUCTION:
    _check_key("SECRET_KEY", SECRET_KEY)
    _check_key("CRYPTOGRAPHY_KEY", CRYPTOGRAPHY_KEY)
    if SECRET_KEY == CRYPTOGRAPHY_KEY:
        raise ImproperlyConfigured("SECRET_KEY and CRYPTOGRAPHY_KEY must differ.")
else:
    SECRET_KEY = SECRET_KEY or DEV_SECRET_KEY
    CRYPTOGRAPHY_KEY = CRYPTOGRAPHY_KEY or DEV_CRYPTOGRAPHY_KEY
# django-cryptography replaces settings.CRYPTOGRAPHY_KEY with the key it derives from it;
# key rotation needs the key as configured.
CRYPTOGRAPHY_KEY_CONFIGURED = CRYPTOGRAPHY_KEY

# --- Hosts ----------------------------------------------------------------------------------
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Base address for every link in e-mail (invitations, notifications) and on the poster: mail
# is sent by the worker, which has no request to take an address from. `make run` sets it to
# its own address; production requires it.
SITE_URL = env.str(
    "SITE_URL",
    default="" if PRODUCTION else ("http://testserver" if TESTING else "http://127.0.0.1:8000"),
).rstrip("/")
_site = urlsplit(SITE_URL)
if SITE_URL and (_site.scheme not in ("http", "https") or not _site.netloc):
    raise ImproperlyConfigured(
        "SITE_URL must be an absolute address, e.g. https://vpcase.example.org"
    )

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "django_htmx",
    "vpcase",
    "vpcase.accounts",
    "vpcase.audit",
    "vpcase.instellingen",
    "vpcase.concepten",
    "meldingen",
    "rapportage",
]
if not PRODUCTION:
    # The benchmark's seed commands; the production image leaves bench/ out (.dockerignore).
    INSTALLED_APPS.append("bench")
# Django's admin site is deliberately not installed: /beheer/ is the only management UI, so
# no case model can ever be exposed through it.

MIDDLEWARE = [
    "vpcase.middleware.SensitiveValuesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "vpcase.middleware.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "vpcase.middleware.IdleTimeoutMiddleware",
    "vpcase.middleware.SecurityHeadersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as its documentation asks: turns lockouts into our 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "vpcase.urls"
WSGI_APPLICATION = "vpcase.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "vpcase.context_processors.navigation",
                "vpcase.accounts.context_processors.kennisgevingen",
                "meldingen.context_processors.verzoeken",
            ],
            "libraries": {"vpcase_forms": "vpcase.templatetags.vpcase_forms"},
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# Importing the settings creates no folder: vpcase.apps.make_data_folders() makes this one, the
# static files' and the task queue's when Django starts (before a database is opened).
DATA_DIR = Path(env.str("VPCASE_DATA_DIR", default=str(BASE_DIR / "var"))).resolve()
# The embedded defaults (SQLite, a file-based task queue, console mail) are for development
# only: production refuses to start without the real services.
if PRODUCTION:
    for _required in ("DATABASE_URL", "REDIS_URL", "EMAIL_URL", "SITE_URL"):
        if not env.str(_required, default=""):
            raise ImproperlyConfigured(f"{_required} must be set when VPCASE_ENV=production.")
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'vpcase.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Reuse connections, but check them first so that a restarted PostgreSQL is survived.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the Celery worker (and beat) write to the same file. WAL lets them
    # read while another writes; BEGIN IMMEDIATE takes the write lock at the start of a
    # transaction, so that a writer waits its turn (`timeout` seconds) instead of failing with
    # "database is locked" when a read lock cannot be upgraded. synchronous=NORMAL is what
    # SQLite advises with WAL: consistent after a crash, only a power cut may lose the last
    # commits.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )
    if TESTING:
        # A file, not Django's in-memory default: tests start worker, gunicorn and manage.py
        # processes against the test database. pytest-xdist appends "_gw0", "_gw1", ...
        DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
# The app's role and the tables' owner (PostgreSQL, compose): DATABASE_URL is the role the app
# runs as, which may read and add audit events but never change them; DATABASE_OWNER_URL, set
# for `manage.py migrate` only, is the role that owns the tables. A process that has it
# connects as the owner and, after migrating, grants DATABASE_URL's role what the app needs
# (vpcase/audit/roles.py). Without it, one role does everything, as in development.
DATABASE_APP_ROLE: dict[str, str] | None = None
if env.str("DATABASE_OWNER_URL", default=""):
    _owner = env.db_url("DATABASE_OWNER_URL")
    _app = DATABASES["default"]
    _where = ("ENGINE", "HOST", "PORT", "NAME")
    if _app["ENGINE"] != "django.db.backends.postgresql" or any(
        _owner[k] != _app[k] for k in _where
    ):
        raise ImproperlyConfigured(
            "DATABASE_OWNER_URL must name the same PostgreSQL database as DATABASE_URL."
        )
    if not _owner["USER"] or _owner["USER"] == _app["USER"]:
        raise ImproperlyConfigured("DATABASE_OWNER_URL and DATABASE_URL must name different roles.")
    DATABASE_APP_ROLE = {"USER": _app["USER"], "PASSWORD": _app["PASSWORD"]}
    DATABASES["default"] = {**_app, "USER": _owner["USER"], "PASSWORD": _owner["PASSWORD"]}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "vpcase.accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "vpcase.accounts.validators.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "vpcase.accounts.validators.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
# A password-reset link works for an hour, once (Django's token changes with the password).
PASSWORD_RESET_TIMEOUT = 60 * 60
LOGIN_REDIRECT_URL = "home"

# Login lockout (django-axes): by account, so that an attacker cannot lock out an office that
# shares one IP address, with a cool-off so that nobody stays locked out for good.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "email"
AXES_PASSWORD_FORM_FIELD = "password"
AXES_SENSITIVE_PARAMETERS = ["password", "password1", "password2", "token", "otp_token"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "vpcase.accounts.views.auth.lockout"
AXES_USERNAME_CALLABLE = "vpcase.accounts.services.axes_username"
AXES_VERBOSE = False
# Store no IP address, user agent or form of a login attempt (the lockout is by account) and no
# record of successful logins (the audit trail has them); what is left is deleted after the
# period the admin sets (vpcase/accounts/login_records.py, vpcase.instellingen).
AXES_HANDLER = "vpcase.accounts.login_records.AxesHandler"
AXES_DISABLE_ACCESS_LOG = True
# axes.W006 asks to add ip_address to the lockout parameters. We don't on purpose: a lockout by
# IP lets one person lock out a whole office behind one NAT address (SecureDrop tests for
# exactly this), and vpcase accounts are few and known, so locking the account is what counts.
SILENCED_SYSTEM_CHECKS = [
    "axes.W006",
    # security.W003 looks for django.middleware.csrf.CsrfViewMiddleware by its exact path;
    # vpcase.middleware.CsrfViewMiddleware is a subclass of it (tested), so CSRF is on.
    "security.W003",
]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # models.W040: SQLite ignores an index's INCLUDE columns. The covering indexes are a
    # PostgreSQL optimisation; on SQLite the same index serves by its key columns.
    SILENCED_SYSTEM_CHECKS.append("models.W040")

# Anonymous side: limits per client (a 16-bit bucket of its address, see vpcase/ratelimit.py).
# The GLOBAL numbers refuse nobody: above them the forms ask for a proof of work (ALTCHA), and
# a request without one gets the stricter WITHOUT_POW limit.
# Proxies in front of the app that append the client address to X-Forwarded-For; 0 (the
# default) trusts no header: a client could write anything in it.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if env.bool("RATELIMIT_USE_X_FORWARDED_FOR", default=False):
    raise ImproperlyConfigured(
        "RATELIMIT_USE_X_FORWARDED_FOR is gone: set TRUSTED_PROXY_COUNT to the number of "
        "proxies that append the client address to X-Forwarded-For (0 behind none)."
    )
if not 0 <= TRUSTED_PROXY_COUNT <= 5:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be between 0 and 5.")
RATELIMIT_SUBMISSIONS_PER_HOUR = env.int("RATELIMIT_SUBMISSIONS_PER_HOUR", default=10)
RATELIMIT_SUBMISSIONS_WITHOUT_POW_PER_HOUR = env.int(
    "RATELIMIT_SUBMISSIONS_WITHOUT_POW_PER_HOUR", default=3
)
RATELIMIT_SUBMISSIONS_GLOBAL_PER_HOUR = env.int(
    "RATELIMIT_SUBMISSIONS_GLOBAL_PER_HOUR", default=300
)
RATELIMIT_CODE_FAILURES_PER_HOUR = env.int("RATELIMIT_CODE_FAILURES_PER_HOUR", default=10)
RATELIMIT_CODE_FAILURES_WITHOUT_POW_PER_HOUR = env.int(
    "RATELIMIT_CODE_FAILURES_WITHOUT_POW_PER_HOUR", default=3
)
RATELIMIT_CODE_FAILURES_GLOBAL_PER_HOUR = env.int(
    "RATELIMIT_CODE_FAILURES_GLOBAL_PER_HOUR", default=200
)
# Messages an employee may send into one mailbox per clock hour (counted in the database).
RATELIMIT_MAILBOX_REPLIES_PER_HOUR = env.int("RATELIMIT_MAILBOX_REPLIES_PER_HOUR", default=10)
# PBKDF2 iterations per try of the proof of work (about 256 tries): the visitor's browser
# spends about a second, the server verifies one derivation (~2 ms).
RATELIMIT_POW_COST = env.int("RATELIMIT_POW_COST", default=5000)
MAILBOX_IDLE_TIMEOUT = 15 * 60

OTP_TOTP_ISSUER = "vpcase"
OTP_TOTP_THROTTLE_FACTOR = 1
INVITATION_VALID_HOURS = 72
# Four eyes: a new confidant membership or a hand-over that no confidant can decide on waits
# this many days (announced to everyone concerned, withdrawable by any admin).
VIER_OGEN_WACHTDAGEN = env.int("VIER_OGEN_WACHTDAGEN", default=7)
if VIER_OGEN_WACHTDAGEN < 1:
    raise ImproperlyConfigured("VIER_OGEN_WACHTDAGEN must be at least 1 (days, not minutes).")
BACKUP_CODE_COUNT = 10

# --- Sessions and cookies -------------------------------------------------------------------
SESSION_ENGINE = "vpcase.sessions"
SESSION_IDLE_TIMEOUT = 30 * 60
# The idle timeout is enforced by vpcase.middleware.IdleTimeoutMiddleware. The stored session
# outlives it (the cookie itself ends with the browser) so that the middleware can tell a
# timed-out user from a stranger and keep a form posted after the timeout as a draft.
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_NAME = "vpcase_session"
CSRF_COOKIE_AGE = None  # a session cookie, not Django's 52 weeks
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Strict"
CSRF_FAILURE_VIEW = "vpcase.views.csrf_failure"
LANGUAGE_COOKIE_AGE = None
# Messages live in the session, never in a cookie of their own.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

SECURE_CONTENT_TYPE_NOSNIFF = True
# "same-origin", not "no-referrer": with no-referrer browsers send `Origin: null` on form
# posts, which Django's CSRF origin check rightly rejects. Other sites still get no referrer.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=63072000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        # security.W021: HSTS preloading binds the whole registered domain and its subdomains
        # for months; that is the domain owner's decision, not the app's (SECURE_HSTS_PRELOAD).
        SILENCED_SYSTEM_CHECKS.append("security.W021")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
    }
}

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
# Dates in each language's own format: day before month, 24-hour clock (vpcase/formats/).
FORMAT_MODULE_PATH = ["vpcase.formats"]
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(DATA_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if not PRODUCTION
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Cache, Celery --------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")


def _next_redis_db(url: str) -> str:
    """The same server, the next database number: the cache must never share the broker's
    database, because clearing the cache (FLUSHDB) would drop queued tasks."""
    parts = urlsplit(url)
    db = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{db + 1}"))


if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.str("CACHE_REDIS_URL", default=_next_redis_db(REDIS_URL)),
            "KEY_PREFIX": "vpcase",
            "OPTIONS": {"socket_timeout": 2, "socket_connect_timeout": 2},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        # Longer than the slowest task, or a late-acked task would run twice in parallel.
        "visibility_timeout": 3600,
        "socket_timeout": 5,
        "socket_connect_timeout": 5,
    }
else:
    # Embedded default: tasks travel through a folder to a real worker process, no Redis.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # kombu ignores the host of a filesystem:// URL, but warns on every publish without one.
    CELERY_BROKER_URL = "filesystem://localhost/"
    _queue_dir = Path(env.str("VPCASE_QUEUE_DIR", default=str(DATA_DIR / "celery"))).resolve()
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir / "queue"),
        "data_folder_out": str(_queue_dir / "queue"),
        "processed_folder": str(_queue_dir / "processed"),
        "control_folder": str(_queue_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A publish to an unreachable broker gives up within about a second instead of hanging the
# request; what was asked for is in the database and is queued again (rapportage.tasks).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TIMEZONE = TIME_ZONE
# The console mail backend of development prints from the worker; Celery would log that output
# as WARNING lines, which look like trouble. Nothing else in vpcase prints.
CELERY_WORKER_REDIRECT_STDOUTS_LEVEL = "INFO"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE = {
    # At the top of every hour, not every 60 minutes from beat's start: the mail is sent at the
    # hour boundary and says no more than the hour an employee's message is stored under.
    "meldingen-notify-confidants": {
        "task": "meldingen.tasks.notify_confidants",
        "schedule": crontab(minute=0),
        "options": {"expires": 50 * 60},
    },
    "accounts-purge-expired": {
        "task": "vpcase.accounts.tasks.purge_expired",
        "schedule": 60 * 60,
        "options": {"expires": 50 * 60},
    },
    "instellingen-purge-login-records": {
        "task": "vpcase.instellingen.tasks.purge_login_records",
        "schedule": 60 * 60,
        "options": {"expires": 50 * 60},
    },
    "accounts-vier-ogen": {
        "task": "vpcase.accounts.tasks.vier_ogen_na_wachttijd",
        "schedule": 60 * 60,
        "options": {"expires": 50 * 60},
    },
    "meldingen-overdrachten": {
        "task": "meldingen.tasks.overdrachten_na_wachttijd",
        "schedule": 60 * 60,
        "options": {"expires": 50 * 60},
    },
    "meldingen-destroy-expired": {
        "task": "meldingen.tasks.destroy_expired",
        "schedule": 24 * 60 * 60,
        "options": {"expires": 23 * 60 * 60},
    },
    "rapportage-requeue-stale": {
        "task": "rapportage.tasks.requeue_stale_reports",
        "schedule": 5 * 60,
        "options": {"expires": 4 * 60},
    },
    "audit-verify-chain": {
        "task": "vpcase.audit.tasks.verify_chain",
        "schedule": 24 * 60 * 60,
        "options": {"expires": 23 * 60 * 60},
    },
}

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
if TESTING:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="vpcase <noreply@vpcase.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Logging --------------------------------------------------------------------------------
# No IP addresses or user agents: Django's own loggers never include them, and the request
# logger only records the path. Confidential text is never passed to a logger.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "filters": {
        "confidential": {"()": "vpcase.logfilter.ConfidentialFilter"},
        # Lines about the anonymous side: dropped, or errors with the hour as their time.
        "anonymous_time": {"()": "vpcase.logfilter.AnonymousTimeFilter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["anonymous_time", "confidential"],
        },
        "server": {
            "class": "logging.StreamHandler",
            "formatter": "server",
            "filters": ["anonymous_time", "confidential"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.security.DisallowedHost": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # The development server (`make run`) keeps no access log, like gunicorn in production:
        # every line would give the second of a page view. Its 4xx/5xx lines stay.
        "django.server": {"handlers": ["server"], "level": "WARNING", "propagate": False},
        # runserver prints its own "Watching for file changes" line already.
        "django.utils.autoreload": {"level": "WARNING"},
    },
}
