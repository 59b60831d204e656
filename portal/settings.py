"""Settings for the privacy portal, read from the environment.

With no environment at all the portal runs on the embedded default: SQLite,
Celery's filesystem broker, e-mails written as .eml files, archives on the local
disk, everything under ./var. Setting DATABASE_URL, CELERY_BROKER_URL and the
rest (see the README's table) switches to the production engines.
PORTAL_ENV=production additionally demands real secrets and turns on HTTPS-only
behaviour.

Longer than our other modules on purpose: it is the one place that lists every
setting with the variable that sets it and why, in the order Django and the
later settings depend on (the data directory before storages, the database
before Celery's result backend). Parsing lives in portal/env.py.
"""

import base64
import hashlib
import zoneinfo
from pathlib import Path
from typing import Any

import django_stubs_ext
from celery.schedules import crontab
from cryptography.fernet import Fernet
from django.utils.csp import CSP
from whitenoise.compress import Compressor

from portal.env import (
    EnvError,
    env_bool,
    env_choice,
    env_database,
    env_float,
    env_int,
    env_list,
    env_secret,
    env_str,
    env_url,
)

# Django's generic classes (ModelAdmin[Model], QuerySet[Model], ModelForm[Model]) accept
# type arguments at run time as they do for the type checker.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("PORTAL_DATA_DIR", str(BASE_DIR / "var"))).resolve()

PORTAL_ENV = env_choice("PORTAL_ENV", "development", ("development", "production"))
PRODUCTION = PORTAL_ENV == "production"
PORTAL_NAME = env_str("PORTAL_NAME", "Privacy portal")
# The portal's public address, for links in e-mails (which never carry tokens).
PORTAL_URL = env_url("PORTAL_URL", "" if PRODUCTION else "http://localhost:8000", schemes=("https", "http"))
if PRODUCTION and not PORTAL_URL.startswith("https://"):
    raise EnvError("PORTAL_URL must be the portal's https:// address in production")

DEBUG = env_bool("DEBUG", not PRODUCTION)
if PRODUCTION and DEBUG:
    raise EnvError("DEBUG must be off when PORTAL_ENV=production")

# A fixed key is fine for a laptop demo; production must bring its own.
_DEV_SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105 - refused in production
SECRET_KEY = env_secret("SECRET_KEY", "" if PRODUCTION else _DEV_SECRET_KEY)
if not SECRET_KEY.strip():
    raise EnvError("SECRET_KEY must not be empty")
if PRODUCTION and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure")):
    raise EnvError("SECRET_KEY must be set to a random value of at least 50 characters in production")

# The audit trail's key (privacy/audit_chain.py): every event's HMAC and every
# checkpoint's signature. It is never in the database, so whoever can write the
# database still cannot rewrite the trail and recompute it. A key of its own:
# rotating SECRET_KEY must not make the trail unverifiable. Development derives
# one from SECRET_KEY; production must bring its own.
PORTAL_AUDIT_KEY = env_secret("AUDIT_KEY")
if PRODUCTION and (len(PORTAL_AUDIT_KEY.strip()) < 32 or PORTAL_AUDIT_KEY == SECRET_KEY):
    raise EnvError("AUDIT_KEY must be set to a random value of at least 32 characters, not SECRET_KEY, in production")
if not PORTAL_AUDIT_KEY.strip():
    PORTAL_AUDIT_KEY = hashlib.sha256(f"portal audit key:{SECRET_KEY}".encode()).hexdigest()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise EnvError("ALLOWED_HOSTS must list the portal's host names in production")
if PRODUCTION and "*" in ALLOWED_HOSTS:
    # A wildcard lets any Host header through, and with it forged links in e-mails.
    raise EnvError("ALLOWED_HOSTS must name the portal's hosts in production, not '*'")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Our AdminConfig swaps in an admin site that demands MFA from staff.
    # Before the admin: it adds a field per language to the texts staff write.
    "modeltranslation",
    "accounts.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served by us (no CDN)
    "django_htmx",
    "privacy",
    "accounts",
    "interactions",
    "fairness",
]

MIDDLEWARE = [
    # First: every log line of the request carries its ID, and the timing
    # for /metrics covers all the other middleware too.
    "portal.request_context.RequestIDMiddleware",
    "portal.metrics.RequestLatencyMiddleware",
    "portal.middleware.PermissionsPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: a signed-in customer's preferred language wins
    # over the browser's Accept-Language (and the language cookie).
    "portal.middleware.CustomerLanguageMiddleware",
    "portal.middleware.NoStoreWhenSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.StaffMFAEnrolmentMiddleware",
    # allauth's session tracking, writing a session's row only when its client changes or every 5 minutes.
    "accounts.session_activity.UserSessionActivityMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "privacy.middleware.GlobalPrivacyControlMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{DATA_DIR / 'portal.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The web server, the worker and beat share one SQLite file: WAL lets
    # readers and one writer work at once, IMMEDIATE transactions avoid
    # "database is locked" upgrades, and the timeout waits out short writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif PRODUCTION and not env_str("DATABASE_URL"):
    raise EnvError("DATABASE_URL must point at PostgreSQL in production")
if PRODUCTION and DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    raise EnvError("DATABASE_URL must point at PostgreSQL in production, not SQLite")
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # psycopg prepares a query bound on the server after this many runs on a
    # connection: the permission API's customer query and "My data"'s rows and
    # figures (privacy/selectors/sql_once.py binds them on the server); Django
    # binds every other query on the client, and those are never prepared. 0
    # turns it off, for a connection pooler that cannot keep prepared statements.
    DATABASES["default"]["OPTIONS"] = {"prepare_threshold": env_int("DATABASE_PREPARE_THRESHOLD", 5, minimum=0) or None}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (allauth's rate limits live here, so it must be a real one) -----

CACHE_URL = env_url("CACHE_URL", f"file://{DATA_DIR / 'cache'}", schemes=("redis", "rediss", "file", "locmem"))
if PRODUCTION and not CACHE_URL.startswith(("redis://", "rediss://")):
    # Rate limits must be shared by every web process on every machine.
    raise EnvError("CACHE_URL must point at Redis in production (redis://host:6379/1)")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {"default": {"BACKEND": "portal.cache.SharedClientRedisCache", "LOCATION": CACHE_URL}}
elif CACHE_URL.startswith("locmem://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    # A folder shared by every process on this machine: rate limits hold
    # across the web server's processes without needing a server.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": CACHE_URL.removeprefix("file://"),
        }
    }

# --- Accounts and allauth -------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "signup": "accounts.forms.SignupForm",
    # Says when more codes may be asked for, once the request limit is reached.
    "request_login_code": "accounts.forms.RequestLoginCodeForm",
}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
# Changing e-mail addresses or the password asks for the password again too.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = env_int("REAUTHENTICATION_TIMEOUT", 300, minimum=30)
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{PORTAL_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
ACCOUNT_PREVENT_ENUMERATION = True
# Failed sign-ins (passwords and authenticator codes alike) are counted per
# account — five in five minutes locks that account only — and per client
# address, where the limit is high enough that one customer's mistakes never
# lock out others who share the address (an office, a mobile carrier), yet a
# password spray across many accounts is stopped. The address is the real
# client's only behind a trusted proxy (TRUST_X_FORWARDED_PROTO below).
ACCOUNT_RATE_LIMITS = {"login_failed": "50/15m/ip,5/5m/key"}

MFA_ADAPTER = "accounts.mfa_adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
# The code forms know which factors the customer has (the prompt offers only those)
# and say when to try again after too many wrong codes.
MFA_FORMS = {
    "authenticate": "accounts.forms.MFAAuthenticateForm",
    "reauthenticate": "accounts.forms.MFAReauthenticateForm",
}
# Keys that encrypt authenticator secrets in the database (accounts/mfa_secrets.py):
# comma-separated Fernet keys, newest first. Development derives one from
# SECRET_KEY; production must bring its own, kept apart from the database.
MFA_ENCRYPTION_KEYS = [key.strip() for key in env_secret("MFA_ENCRYPTION_KEY").split(",") if key.strip()]
if PRODUCTION and not MFA_ENCRYPTION_KEYS:
    raise EnvError("MFA_ENCRYPTION_KEY must be set in production (a Fernet key; see the README)")
if not MFA_ENCRYPTION_KEYS:
    _derived = hashlib.sha256(f"portal mfa key:{SECRET_KEY}".encode()).digest()
    MFA_ENCRYPTION_KEYS = [base64.urlsafe_b64encode(_derived).decode()]
for _key in MFA_ENCRYPTION_KEYS:
    try:
        Fernet(_key)
    except ValueError:
        raise EnvError("MFA_ENCRYPTION_KEY must list Fernet keys (32 url-safe base64-encoded bytes each)") from None
MFA_TOTP_ISSUER = PORTAL_NAME
MFA_TOTP_TOLERANCE = env_int("MFA_TOTP_TOLERANCE", 0, minimum=0)
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION
USERSESSIONS_TRACK_ACTIVITY = True

# Staff reach Django admin only with MFA enabled. Switch off only for a local
# experiment: the demo privacy officer is seeded with a TOTP authenticator.
PORTAL_STAFF_REQUIRE_MFA = env_bool("STAFF_REQUIRE_MFA", True)
if PRODUCTION and not PORTAL_STAFF_REQUIRE_MFA:
    raise EnvError("STAFF_REQUIRE_MFA cannot be switched off in production")
# How long a privacy officer's invitation to set up a second factor stays valid.
PORTAL_STAFF_MFA_INVITATION_HOURS = env_int("STAFF_MFA_INVITATION_HOURS", 72, minimum=1)

# --- Sessions and security -----------------------------------------------

# Messages can carry one-time secrets (a new API token): keep them server-side.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 24 * 14, minimum=300)
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = PRODUCTION and env_bool("SECURE_SSL_REDIRECT", True)
# Load balancers and orchestrators probe /healthz over plain HTTP: a redirect
# would count as "healthy" even with the database down.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0) if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION and env_bool("SECURE_HSTS_PRELOAD", True)
# Behind a reverse proxy (the production set-up the README describes) one
# switch trusts what the proxy adds: the scheme it was reached by, and the
# client's address it appends to X-Forwarded-For, which the sign-in limits
# count by. Only behind a proxy that sets both itself (never passes them through).
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # How many proxies of ours append to X-Forwarded-For (a CDN in front of the load balancer makes 2).
    ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1, minimum=1)
SECURE_REFERRER_POLICY = "same-origin"
# Browser features, each denied to every origin unless listed with who may use
# it: the portal uses passkeys (WebAuthn) and nothing else.
PORTAL_PERMISSIONS_POLICY: dict[str, list[str]] = {
    "publickey-credentials-get": ["self"],
    "publickey-credentials-create": ["self"],
    **{
        feature: []
        for feature in (
            "accelerometer",
            "ambient-light-sensor",
            "autoplay",
            "bluetooth",
            "browsing-topics",
            "camera",
            "display-capture",
            "encrypted-media",
            "fullscreen",
            "gamepad",
            "geolocation",
            "gyroscope",
            "hid",
            "idle-detection",
            "local-fonts",
            "magnetometer",
            "microphone",
            "midi",
            "otp-credentials",
            "payment",
            "picture-in-picture",
            "screen-wake-lock",
            "serial",
            "storage-access",
            "usb",
            "web-share",
            "window-management",
            "xr-spatial-tracking",
        )
    },
}
X_FRAME_OPTIONS = "DENY"

# Django's built-in CSP: nothing from other hosts, scripts only from our own
# files (or carrying the per-request nonce), no inline styles.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# --- Internationalisation -------------------------------------------------

LANGUAGE_CODE = "en"
# Exactly the languages the portal offers, each named in itself (the switcher
# shows these names). Adding one is a catalogue in locale/<code>/ plus a line
# here: the check accounts.E003 fails while the catalogue is missing. English
# is the source language and the fallback for anything untranslated.
LANGUAGES = [("en", "English"), ("es", "Español"), ("de", "Deutsch")]
# The switcher's choice for a visitor who is not signed in (a signed-in
# customer's is their profile's preferred language). Only JavaScript-free
# server code reads it, and only over HTTPS in production.
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
# One way of writing dates for each language: templates use |date (DATE_FORMAT)
# and |date:"DATETIME_FORMAT", never a format of their own.
FORMAT_MODULE_PATH = ["portal.formats"]
# Texts staff write (purpose notices, AI system cards, guidelines, the reason
# of a denial or an extension) have a field per language (privacy/translation.py).
# A missing translation falls back to English, and the pages say so.
MODELTRANSLATION_DEFAULT_LANGUAGE = LANGUAGE_CODE
MODELTRANSLATION_FALLBACK_LANGUAGES = (LANGUAGE_CODE,)
TIME_ZONE = env_str("TIME_ZONE", "UTC")
try:
    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise EnvError(f"TIME_ZONE must be an IANA time zone such as Europe/Berlin, got {TIME_ZONE!r}") from None
USE_I18N = True
USE_TZ = True
# The portal's own catalogues come before every app's: locale/en rewords allauth's
# and Django's English (sentence case, "e-mail") to match the portal's pages, and
# accounts/allauth_locale makes allauth's German and Spanish say "Sie"/"usted" as the
# portal does (allauth's own say "du"/"tú"); that folder is not named "locale", so
# makemessages never rewrites it. Earlier entries win.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "accounts" / "allauth_locale"]

# --- Static files, uploads and private storage ----------------------------

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Outside production, serve straight from the source folders (no collectstatic).
WHITENOISE_USE_FINDERS = not PRODUCTION
# Source maps (megabytes of them, in the API docs' bundles) are fetched only by
# a developer's browser tools: compressing each twice made collectstatic minutes long.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
MEDIA_ROOT = DATA_DIR / "media"


def _s3_storage(prefix: str) -> dict[str, Any]:
    """A private bucket named by {prefix}_S3_BUCKET, reached with the {prefix}_S3_* variables."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str(f"{prefix}_S3_BUCKET"),
            "endpoint_url": env_str(f"{prefix}_S3_ENDPOINT_URL") or None,
            "region_name": env_str(f"{prefix}_S3_REGION") or None,
            "access_key": env_secret(f"{prefix}_S3_ACCESS_KEY") or None,
            "secret_key": env_secret(f"{prefix}_S3_SECRET_KEY") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }


if env_str("EXPORTS_S3_BUCKET"):
    _EXPORTS_STORAGE = _s3_storage("EXPORTS")
else:
    # No base_url: archives are private and only ever streamed by a view
    # that checks the owner, never served by a static URL.
    _EXPORTS_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env_str("EXPORTS_DIR", str(DATA_DIR / "exports")), "base_url": None},
    }
# Signed checkpoints of the audit trail's head (privacy/services/audit.py), one
# new object each time beat finds the trail grew, never overwritten:
# verify-audit compares the trail with them, so events cut off its end, or a
# rolled-back trail, show. They belong where the portal's database role cannot
# write: best a bucket with object lock whose credentials may only add objects.
if env_str("AUDIT_CHECKPOINTS_S3_BUCKET"):
    _AUDIT_CHECKPOINTS_STORAGE = _s3_storage("AUDIT_CHECKPOINTS")
else:
    _AUDIT_CHECKPOINTS_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": env_str("AUDIT_CHECKPOINTS_DIR", str(DATA_DIR / "audit-checkpoints")),
            "base_url": None,
        },
    }
PORTAL_AUDIT_CHECKPOINT_SECONDS = env_int("AUDIT_CHECKPOINT_SECONDS", 900, minimum=60)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
    "exports": _EXPORTS_STORAGE,
    "audit_checkpoints": _AUDIT_CHECKPOINTS_STORAGE,
}

# --- E-mail ---------------------------------------------------------------

DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "privacy@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
_EMAIL_HOST = env_str("EMAIL_HOST")
if _EMAIL_HOST:
    _EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
    # Implicit TLS (port 465) and STARTTLS (587) exclude each other.
    _EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", not _EMAIL_USE_SSL)
    if _EMAIL_USE_SSL and _EMAIL_USE_TLS:
        raise EnvError("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on")
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _EMAIL_HOST,
                "port": env_int("EMAIL_PORT", 587, minimum=1),
                "username": env_str("EMAIL_HOST_USER"),
                "password": env_secret("EMAIL_HOST_PASSWORD"),
                "use_tls": _EMAIL_USE_TLS,
                "use_ssl": _EMAIL_USE_SSL,
                "timeout": env_int("EMAIL_TIMEOUT", 20, minimum=1),
            },
        }
    }
elif PRODUCTION:
    raise EnvError("EMAIL_HOST must be set in production (customers are e-mailed codes and job notices)")
else:
    # Each e-mail becomes one .eml file a newcomer can open (see the README).
    MAILERS = {
        "default": {
            "BACKEND": "portal.mail.EmlFolderBackend",
            "OPTIONS": {"folder": env_str("EMAIL_FILE_PATH", str(DATA_DIR / "mail"))},
        }
    }

# --- Celery ---------------------------------------------------------------

CELERY_BROKER_URL = env_url(
    # "localhost" only quiets kombu's warning; the folder broker needs no host.
    "CELERY_BROKER_URL",
    "" if PRODUCTION else "filesystem://localhost/",
    schemes=("redis", "rediss", "filesystem"),
)
if CELERY_BROKER_URL.startswith("filesystem://"):
    if PRODUCTION:
        raise EnvError("CELERY_BROKER_URL must point at Redis in production")
    _QUEUE_DIR = DATA_DIR / "celery" / "queue"
    _PROCESSED_DIR = DATA_DIR / "celery" / "processed"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_QUEUE_DIR),
        "data_folder_out": str(_QUEUE_DIR),
        "processed_folder": str(_PROCESSED_DIR),
        # Without it kombu writes broadcast mailboxes into ./control.
        "control_folder": str(DATA_DIR / "celery" / "control"),
        "store_processed": False,
    }
else:
    # A task not acknowledged within this time is given to another worker;
    # it must exceed the longest task (see CELERY_TASK_TIME_LIMIT).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=60)}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True  # the database row is the truth, not a result backend
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 60 * 60, minimum=10)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 5
CELERY_TASK_DEFAULT_QUEUE = "default"
# Slow or failing receivers must never hold up e-mails or privacy jobs.
CELERY_TASK_ROUTES = {
    "privacy.tasks.deliver_webhook": {"queue": "webhooks"},
    "privacy.tasks.build_export": {"queue": "exports"},
    "privacy.tasks.run_erasure": {"queue": "erasure"},
    # An audit over millions of decisions takes a while: never ahead of e-mails.
    "fairness.tasks.run_fairness_audit": {"queue": "fairness"},
}
# Publishing happens after the web request committed; give up quickly when the
# broker is down and let the sweeper re-enqueue from the database later.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "resend-stuck-emails": {"task": "privacy.tasks.resend_stuck_emails", "schedule": 300.0},
    "clear-expired-sessions": {"task": "accounts.tasks.clear_expired_sessions", "schedule": 60.0 * 60 * 6},
    "purge-old-emails": {"task": "privacy.tasks.purge_old_emails", "schedule": 60.0 * 60 * 24},
    "resend-stuck-webhooks": {"task": "privacy.tasks.resend_stuck_webhooks", "schedule": 300.0},
    "purge-old-webhook-deliveries": {"task": "privacy.tasks.purge_old_webhook_deliveries", "schedule": 60.0 * 60 * 24},
    "sweep-stuck-requests": {"task": "privacy.tasks.sweep_stuck_requests", "schedule": 60.0},
    "expire-exports": {"task": "privacy.tasks.expire_exports", "schedule": 60.0 * 60},
    "start-due-erasures": {"task": "privacy.tasks.start_due_erasures", "schedule": 60.0 * 5},
    "erasure-reminders": {"task": "privacy.tasks.send_erasure_reminders", "schedule": 60.0 * 60},
    "staff-digest": {"task": "privacy.tasks.send_staff_digest", "schedule": crontab(hour=7, minute=0)},
    "fairness-audit": {
        "task": "fairness.tasks.schedule_fairness_audit",
        "schedule": crontab(hour=env_int("FAIRNESS_AUDIT_HOUR", 3, minimum=0) % 24, minute=30),
    },
    "sweep-stuck-fairness-audits": {"task": "fairness.tasks.sweep_stuck_fairness_audits", "schedule": 60.0 * 5},
    "audit-checkpoint": {
        "task": "privacy.tasks.write_audit_checkpoint",
        "schedule": float(PORTAL_AUDIT_CHECKPOINT_SECONDS),
    },
}
# Webhook deliveries: attempts, and the first pause between them (doubling).
PORTAL_WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 6, minimum=1)
PORTAL_WEBHOOK_RETRY_BASE_SECONDS = env_int("WEBHOOK_RETRY_BASE_SECONDS", 10, minimum=0)
# Whether webhooks may go to loopback and private addresses (a staff-entered
# URL must not reach internal services unless that is intended).
PORTAL_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", not PRODUCTION)
# Privacy requests: the legal deadline (30 days under GDPR; 45 for CCPA),
# which kinds wait for a staff decision, and export limits.
PORTAL_REQUEST_DUE_DAYS = env_int("REQUEST_DUE_DAYS", 30, minimum=1)
PORTAL_APPROVAL_REQUIRED = {
    "export": env_bool("EXPORT_APPROVAL_REQUIRED", False),
    "erasure": env_bool("ERASURE_APPROVAL_REQUIRED", True),
}
# Days an erasure waits (cancellable) before a worker starts; 0 starts at once.
PORTAL_ERASURE_GRACE_DAYS = env_int("ERASURE_GRACE_DAYS", 14, minimum=0)
# Working files of jobs in progress (one folder per request, removed after).
PORTAL_SCRATCH_DIR = env_str("SCRATCH_DIR", str(DATA_DIR / "scratch"))
PORTAL_EXPORT_MIN_INTERVAL_HOURS = env_int("EXPORT_MIN_INTERVAL_HOURS", 24, minimum=0)
PORTAL_EXPORT_RETENTION_DAYS = env_int("EXPORT_RETENTION_DAYS", 7, minimum=1)
# The sweeper re-publishes a request queued this long, or one "processing"
# whose worker has been silent this long (its worker died).
PORTAL_REQUEST_QUEUED_STUCK_SECONDS = env_int("REQUEST_QUEUED_STUCK_SECONDS", 300, minimum=1)
PORTAL_REQUEST_SILENT_STUCK_SECONDS = env_int("REQUEST_SILENT_STUCK_SECONDS", 900, minimum=1)
# Who hears about failed jobs (comma-separated addresses).
PORTAL_PRIVACY_TEAM_EMAILS = env_list("PRIVACY_TEAM_EMAILS", ["privacy-team@localhost"])
# Key for the pseudonymous subject reference kept after erasure (default: derived from SECRET_KEY).
PORTAL_SUBJECT_REF_KEY = env_secret("SUBJECT_REF_KEY")
# Days within which staff answer a request for human review.
PORTAL_HUMAN_REVIEW_DAYS = env_int("HUMAN_REVIEW_DAYS", 14, minimum=1)
# Requests for human review one customer may send in 24 hours (counted by
# allauth's rate limits, in the cache): enough for anyone contesting what an
# AI did, too few to flood the team that must answer each one.
PORTAL_HUMAN_REVIEWS_PER_DAY = env_int("HUMAN_REVIEWS_PER_DAY", 10, minimum=1)
# Fairness audits (see the README's "Fairness audits" and shared FAIRNESS.md):
# the window of decisions, the smallest group judged (decisions and
# different customers), and the verdicts' thresholds.
PORTAL_FAIRNESS_WINDOW_DAYS = env_int("FAIRNESS_WINDOW_DAYS", 90, minimum=1)
PORTAL_FAIRNESS_MIN_GROUP_SIZE = env_int("FAIRNESS_MIN_GROUP_SIZE", 30, minimum=1)
PORTAL_FAIRNESS_MIN_CUSTOMERS = env_int("FAIRNESS_MIN_CUSTOMERS", 10, minimum=1)
PORTAL_FAIRNESS_ALERT_RATIO = env_float("FAIRNESS_ALERT_RATIO", 0.8, minimum=0, maximum=1)
PORTAL_FAIRNESS_WATCH_RATIO = env_float("FAIRNESS_WATCH_RATIO", 0.9, minimum=0, maximum=1)
if PORTAL_FAIRNESS_WATCH_RATIO < PORTAL_FAIRNESS_ALERT_RATIO:
    raise EnvError("FAIRNESS_WATCH_RATIO must be at least FAIRNESS_ALERT_RATIO")
PORTAL_FAIRNESS_SIGNIFICANCE = env_float("FAIRNESS_SIGNIFICANCE", 0.05, minimum=0.0001, maximum=0.5)
PORTAL_FAIRNESS_OVERTURN_FACTOR = env_float("FAIRNESS_OVERTURN_FACTOR", 2.0, minimum=1, maximum=100)
# `seed_demo`'s background customers (who cannot sign in), whose AI decisions give the audits groups to judge.
PORTAL_DEMO_BACKGROUND_CUSTOMERS = env_int("DEMO_BACKGROUND_CUSTOMERS", 3000, minimum=0)
# An audit queued this long, or running with a silent worker this long, is published again.
PORTAL_FAIRNESS_STUCK_SECONDS = env_int("FAIRNESS_STUCK_SECONDS", 1800, minimum=60)
# Seconds one attempt at sending an e-mail may take before it is killed.
PORTAL_EMAIL_TASK_TIME_LIMIT = 60
# How long the record of a sent e-mail (never its text) is kept.
PORTAL_EMAIL_RETENTION_DAYS = 90
# How long a queued e-mail may wait before the sweeper publishes it again.
PORTAL_EMAIL_SWEEP_AFTER_SECONDS = env_int("EMAIL_SWEEP_AFTER_SECONDS", 120, minimum=10)

# --- Metrics --------------------------------------------------------------

# The bearer token Prometheus sends to /metrics (Authorization: Bearer ...).
# Unset, /metrics answers 404 (and `check --deploy` warns). See portal/metrics.py
# for PROMETHEUS_MULTIPROC_DIR, which prometheus-client reads itself.
PORTAL_METRICS_TOKEN = env_secret("METRICS_TOKEN").strip()

# --- API ------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "UNAUTHENTICATED_USER": None,
    # JSON in and out: no forms, and no browsable API to leak data in a page.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
# Whether /api/schema/ and /api/docs/ are open to anyone; when not (production's default) only
# signed-in staff and holders of an API token read them (privacy.api.permissions.CanReadAPIDocs).
PORTAL_API_DOCS_PUBLIC = env_bool("API_DOCS_PUBLIC", not PRODUCTION)
SPECTACULAR_SETTINGS = {
    "TITLE": f"{PORTAL_NAME} API",
    "DESCRIPTION": "Ingest and permission endpoints for the business's customer-experience platform.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # A token first, so an anonymous caller is told (401, WWW-Authenticate: Bearer) how to come back.
    "SERVE_AUTHENTICATION": [
        "privacy.api.authentication.APIClientTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "SERVE_PERMISSIONS": ["privacy.api.permissions.CanReadAPIDocs"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No calls to swagger.io's online validator from a customer's browser.
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None, "deepLinking": True},
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"DecisionOutcomeEnum": "interactions.models.AIDecision.Outcome"},
}

# --- Logging: IDs only, never personal data --------------------------------

# LOG_FORMAT=json writes one JSON object per line (time, level, logger,
# message, request_id, task_id; exceptions as type and frames, without their
# message), for a log collector; "plain" is for people reading a terminal.
PORTAL_LOG_FORMAT = env_choice("LOG_FORMAT", "plain", ("plain", "json"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "portal.logs.RequestContextFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "portal.logs.JSONFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": PORTAL_LOG_FORMAT,
            "filters": ["request_context"],
        }
    },
    "root": {
        "handlers": ["console"],
        "level": env_choice("LOG_LEVEL", "info", ("debug", "info", "warning", "error")).upper(),
    },
}

for _folder in (DATA_DIR, MEDIA_ROOT, STATIC_ROOT):
    _folder.mkdir(parents=True, exist_ok=True)
# The archives' folder exists from the start, so /readyz finds the storage
# ready before the first export is written into it.
if _EXPORTS_STORAGE["BACKEND"] == "django.core.files.storage.FileSystemStorage":
    Path(_EXPORTS_STORAGE["OPTIONS"]["location"]).mkdir(parents=True, exist_ok=True)
if CELERY_BROKER_URL.startswith("filesystem://"):
    _QUEUE_DIR.mkdir(parents=True, exist_ok=True)
    _PROCESSED_DIR.mkdir(parents=True, exist_ok=True)
