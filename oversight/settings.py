"""The one settings module. Everything configurable comes from the environment.

With nothing set the platform runs on SQLite, the database search backend, in-process tasks,
console email and local file storage, so a fresh clone works with ``make run``. Each setting is
listed with its default and meaning in README.md; keep the two in step.
"""

import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
DATA_DIR = Path(env.str("DATA_DIR", default=str(BASE_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _key(variable: str, file_name: str) -> str:
    """The key configured in ``variable``, or one generated once and kept in DATA_DIR for local use."""
    configured = env.str(variable, default="")
    if configured:
        return configured
    key_file = DATA_DIR / file_name
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _key("SECRET_KEY", "secret_key")
# Keys the HMAC that stores residents' status codes. Separate from SECRET_KEY so rotating the
# signing key does not lock residents out; changing this one invalidates every code issued.
STATUS_CODE_KEY = _key("STATUS_CODE_KEY", "status_code_key")
# Keys the HMAC that seals the audit trail's hash chain and its checkpoints. Kept outside the
# database and apart from SECRET_KEY: whoever can write the database but lacks this key cannot
# forge a sealed event. Changing it makes every existing event fail `audit_verify`.
AUDIT_KEY = _key("AUDIT_KEY", "audit_key")
# Append-only file `audit_checkpoint` writes signed checkpoint lines to (publish them elsewhere too).
AUDIT_CHECKPOINT_FILE = Path(env.str("AUDIT_CHECKPOINT_FILE", default=str(DATA_DIR / "audit_checkpoints")))
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- Applications -------------------------------------------------------------------------------
# Ordered by floor (see docs/): lower floors never import higher ones.
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guardian",
    "simple_history",
    "pgtrigger",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "oversight",
    "oversight.authn",
    "oversight.staff_accounts",
    "complaints",
    "investigations",
    "investigations.board",
    "investigations.retention",
    "investigations.importing",
    "investigations.early_intervention",
    "investigations.measures",
    "public_portal",
    "public_portal.publication",
    "public_portal.messages",
    "public_portal.meetings",
    "public_portal.comments",
    "public_portal.transparency",
    "public_portal.transparency.reports",
    "search",
]

MIDDLEWARE = [
    "oversight.middleware.RequestContextMiddleware",
    # Headers on every response, the HTTPS redirect and the 413 page included (docs/headers.md):
    # Permissions-Policy, Cache-Control: no-store on staff pages and personal data, the CSP, then Django's.
    "oversight.headers.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "oversight.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Unreadable input (bad UTF-8, NUL) gets the 400 page; before sessions, which read the cookie.
    "oversight.input_guard.InputGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "oversight.staff_accounts.middleware.PreferredLanguageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "oversight.middleware.RequestUserMiddleware",
    # After the user is known: one personal_data.viewed event per response that showed personal data.
    "oversight.personal_data.PersonalDataReadMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Signs out a session past its idle or absolute limit, then sends a session without a verified
    # second factor to verify one, on every /staff/ and /admin/ page (docs/sign-in.md).
    "oversight.authn.middleware.SessionLimitsMiddleware",
    "oversight.authn.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Turns a sign-in refused for too many failures into the locked-out page; last, as axes asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "oversight.urls"
WSGI_APPLICATION = "oversight.wsgi.application"

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
                "oversight.context_processors.site",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the dev server and a management command share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://oversight")}

# --- Authentication and permissions -------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # Refuses a locked account or client before any password is checked (docs/sign-in.md).
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# No guardian "anonymous user" row: the public never holds object permissions.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
LOGIN_URL = "staff:login"
LOGIN_REDIRECT_URL = "staff:home"
LOGOUT_REDIRECT_URL = "public_portal:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    # Kept: like the common list, it refuses a guessable password (all digits); it asks for no
    # particular kinds of character. No rule expires passwords (NIST SP 800-63B).
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in (docs/sign-in.md): a password and a second factor (an authenticator app, or a backup code)
# for every /staff/ and /admin/ page; failures lock the account, and the client beside it, for a while.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_CLIENT_FAILURE_LIMIT = env.int("LOGIN_CLIENT_FAILURE_LIMIT", default=20)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=10)
# django-axes counts failures in CACHES["default"] (shared: Redis in production) with the project's
# handler: a limit for the account and one for the client, clients named as the rate limits name them.
AXES_HANDLER = "oversight.authn.lockout.LockoutHandler"
AXES_FAILURE_LIMIT = "oversight.authn.lockout.failure_limit"
AXES_COOLOFF_TIME = "oversight.authn.lockout.cool_off"
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
AXES_CLIENT_IP_CALLABLE = "oversight.authn.lockout.client_name"
AXES_LOCKOUT_CALLABLE = "oversight.authn.views.locked_out"
# Failures are forgotten only once both factors have passed (oversight.authn.services).
AXES_RESET_ON_SUCCESS = False
# An attempt refused while locked is not counted: the lock ends when the page said it would.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
BACKUP_CODE_COUNT = 10
# A password reset link works once, for this many seconds.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3600)
# Staff sessions end after this long without a request, and this long after signing in whatever happens.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_MAX_HOURS = env.int("SESSION_MAX_HOURS", default=12)
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600

# History views in the admin need the historical model's own view permission.
SIMPLE_HISTORY_ENFORCE_HISTORY_MODEL_PERMISSIONS = True
SIMPLE_HISTORY_REVERT_DISABLED = True

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="America/New_York")
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
if (BASE_DIR / "node_modules" / "@uswds" / "uswds" / "dist").exists():
    STATICFILES_DIRS.append(("uswds", BASE_DIR / "node_modules" / "@uswds" / "uswds" / "dist"))
MEDIA_ROOT = DATA_DIR / "media"
# Uploaded evidence is never served directly: it lives in private storage and leaves only
# through views that check access and record custody.
PRIVATE_STORAGE_ROOT = Path(env.str("PRIVATE_STORAGE_ROOT", default=str(DATA_DIR / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_STORAGE_ROOT, "base_url": None},
    },
    # Files a resident uploads while filling in the form, until the complaint is submitted.
    "staging": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": DATA_DIR / "staging", "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Email --------------------------------------------------------------------------------------
vars().update(env.email("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="no-reply@oversight.example")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background work ----------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "purge-expired-intake-drafts": {"task": "public_portal.tasks.purge_expired_drafts", "schedule": 3600.0},
    "send-deadline-reminders": {"task": "investigations.tasks.send_deadline_reminders", "schedule": 86400.0},
    "retention-review": {"task": "investigations.retention.tasks.retention_review", "schedule": 86400.0},
    "retry-file-scans": {"task": "oversight.tasks.retry_file_scans", "schedule": 900.0},
    "sweep-orphan-files": {"task": "oversight.tasks.sweep_orphan_files", "schedule": 86400.0},
    # Drafts the last quarter's and the last year's public report once each has ended (one per period).
    "draft-public-reports": {"task": "public_portal.transparency.reports.tasks.draft_due_reports", "schedule": 86400.0},
    # The public statistics snapshot (dashboard, downloads, API), recomputed from the case tables.
    "refresh-public-statistics": {"task": "public_portal.transparency.tasks.refresh_statistics", "schedule": 3600.0},
    # Index updates the search service refused while it was down (search.indexing).
    "drain-search-backlog": {"task": "search.tasks.drain_search_backlog", "schedule": 60.0},
    # Early intervention (investigations.early_intervention)
    "evaluate-early-intervention": {
        "task": "investigations.early_intervention.tasks.evaluate_early_intervention",
        "schedule": 86400.0,
    },
}

# --- External services --------------------------------------------------------------------------
# Search (docs/search.md): "database" (PostgreSQL full-text search, a plain fallback on SQLite) or
# "elasticsearch" (ELASTICSEARCH_URL; one URL or several, comma-separated).
ELASTICSEARCH_URL = env.str("ELASTICSEARCH_URL", default="")
SEARCH_BACKEND = env.str("SEARCH_BACKEND", default="elasticsearch" if ELASTICSEARCH_URL else "database")
if SEARCH_BACKEND not in ("database", "elasticsearch"):
    raise ImproperlyConfigured(f'SEARCH_BACKEND must be "database" or "elasticsearch", not "{SEARCH_BACKEND}".')
if SEARCH_BACKEND == "elasticsearch" and not ELASTICSEARCH_URL:
    raise ImproperlyConfigured("SEARCH_BACKEND=elasticsearch needs ELASTICSEARCH_URL.")
# Index (and alias) names start with this, so several sites can share one cluster.
SEARCH_INDEX_PREFIX = env.str("SEARCH_INDEX_PREFIX", default="oversight-")
# TLS to Elasticsearch: a CA bundle to trust, whether to verify certificates at all, and an API key.
ELASTICSEARCH_CA_CERTS = env.str("ELASTICSEARCH_CA_CERTS", default="")
ELASTICSEARCH_VERIFY_CERTS = env.bool("ELASTICSEARCH_VERIFY_CERTS", default=True)
ELASTICSEARCH_API_KEY = env.str("ELASTICSEARCH_API_KEY", default="")
ELASTICSEARCH_TIMEOUT = env.float("ELASTICSEARCH_TIMEOUT", default=5.0)
# clamd for virus scans of stored files: "host:port" or "unix:/path"; empty: files are not scanned.
CLAMAV_ADDRESS = env.str("CLAMAV_ADDRESS", default="")
# Seconds any one exchange with clamd may take (connecting, sending a chunk, waiting for the verdict).
CLAMAV_TIMEOUT = env.float("CLAMAV_TIMEOUT", default=60.0)

# --- The oversight body -------------------------------------------------------------------------
OVERSIGHT_BODY_NAME = env.str("OVERSIGHT_BODY_NAME", default="Civilian Police Oversight Commission")
OVERSIGHT_BODY_SHORT_NAME = env.str("OVERSIGHT_BODY_SHORT_NAME", default="CPOC")
OVERSIGHT_CONTACT_EMAIL = env.str("OVERSIGHT_CONTACT_EMAIL", default="complaints@oversight.example")
OVERSIGHT_CONTACT_PHONE = env.str("OVERSIGHT_CONTACT_PHONE", default="(555) 010-0100")
OVERSIGHT_ADDRESS = env.str("OVERSIGHT_ADDRESS", default="100 Main Street, Suite 400")
TRACKING_NUMBER_PREFIX = env.str("TRACKING_NUMBER_PREFIX", default="CPC")
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=50 * 1024 * 1024)
INTAKE_MAX_FILES = env.int("INTAKE_MAX_FILES", default=10)
INTAKE_MAX_TOTAL_BYTES = env.int("INTAKE_MAX_TOTAL_BYTES", default=200 * 1024 * 1024)
INTAKE_DRAFT_HOURS = env.int("INTAKE_DRAFT_HOURS", default=48)
DEADLINE_DAYS = env.int("DEADLINE_DAYS", default=365)
DEADLINE_DUE_SOON_DAYS = env.int("DEADLINE_DUE_SOON_DAYS", default=30)
# Evidence staff upload (body-worn camera footage is large); public uploads keep the intake limits.
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=4 * 1024 * 1024 * 1024)
# Who authorizes subpoenas: "executive_director", "chair" or "board_vote".
SUBPOENA_AUTHORIZATION = env.str("SUBPOENA_AUTHORIZATION", default="executive_director")
# Board quorum: members needed to decide, or empty for a majority of current, non-recused members.
BOARD_QUORUM = env.int("BOARD_QUORUM", default=0)
DEPARTMENT_RESPONSE_DAYS = env.int("DEPARTMENT_RESPONSE_DAYS", default=30)
# Retention schedule (California Penal Code 832.5): years a closed case is kept, from its last closing,
# with no sustained finding and with one. Then a supervisor may destroy it, unless a legal hold applies.
RETENTION_YEARS_NOT_SUSTAINED = env.int("RETENTION_YEARS_NOT_SUSTAINED", default=5)
RETENTION_YEARS_SUSTAINED = env.int("RETENTION_YEARS_SUSTAINED", default=15)
# Board packets listing more items than this are built in the background.
BOARD_PACKET_TASK_THRESHOLD = env.int("BOARD_PACKET_TASK_THRESHOLD", default=150)
DISCIPLINE_SCALE = env.list(
    "DISCIPLINE_SCALE", default=["training", "counseling", "reprimand", "suspension", "demotion", "termination"]
)
# Public counts from 1 to this are shown as "fewer than N+1", with enough others withheld to hide them.
PUBLIC_MIN_CELL = env.int("PUBLIC_MIN_CELL", default=10)
# Publication of decided cases (docs/publication.md): whose officers are named ("rules": the disclosure
# rules table; "all_public"; "none"), the case statuses never published one by one, and whether a
# publication must be approved by someone other than who drafted or edited it.
PUBLICATION_DISCLOSURE_POLICY = env.str("PUBLICATION_DISCLOSURE_POLICY", default="rules")
PUBLICATION_NEVER_INDIVIDUAL = env.list(
    "PUBLICATION_NEVER_INDIVIDUAL", default=["mediated", "referred", "administratively_closed"]
)
PUBLICATION_TWO_PERSON = env.bool("PUBLICATION_TWO_PERSON", default=True)
# Periodic public reports (docs/reports.md): whether the daily job drafts each quarter's and year's report.
PUBLIC_REPORTS_AUTO_DRAFT = env.bool("PUBLIC_REPORTS_AUTO_DRAFT", default=True)

# --- Rate limits (COUNT/SECONDS per client) --------------------------------------------------------
# Password reset requests: per client, and per email address asked about (docs/sign-in.md).
RATE_LIMIT_PASSWORD_RESET = env.str("RATE_LIMIT_PASSWORD_RESET", default="5/3600")
RATE_LIMIT_PASSWORD_RESET_ADDRESS = env.str("RATE_LIMIT_PASSWORD_RESET_ADDRESS", default="3/3600")
RATE_LIMIT_STATUS_LOOKUP = env.str("RATE_LIMIT_STATUS_LOOKUP", default="10/60")
RATE_LIMIT_INTAKE_SUBMIT = env.str("RATE_LIMIT_INTAKE_SUBMIT", default="5/3600")
# Answers one client may send to messages on the status page (public_portal.messages).
RATE_LIMIT_MESSAGE_REPLY = env.str("RATE_LIMIT_MESSAGE_REPLY", default="10/3600")
# Public comments on proposed recommendations (public_portal.comments)
# Comments one client may post on proposed recommendations per period ("COUNT/SECONDS").
RATE_LIMIT_PUBLIC_COMMENT = env.str("RATE_LIMIT_PUBLIC_COMMENT", default="5/3600")
# Public meetings (public_portal.meetings)
# Whether a meeting's public page shows each board member's vote by name (else only the counts).
MEETING_VOTES_BY_NAME = env.bool("MEETING_VOTES_BY_NAME", default=False)
# Requests to the open data API per client.
RATE_LIMIT_API = env.str("RATE_LIMIT_API", default="120/60")

# --- The open data API (public_portal/transparency/api) --------------------------------------------
# Read-only and anonymous: no authentication (so no session and no CSRF), JSON only, every client
# throttled by RATE_LIMIT_API, every error JSON with a plain message.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["public_portal.transparency.api.throttling.PublicApiThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "public_portal.transparency.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Open data API",
    "DESCRIPTION": (
        "Published decisions of the civilian oversight board, their allegations, the board's policy "
        "recommendations and the dashboard's statistics. Read-only; no account needed. Column meanings "
        "and codes: /data/dictionary/."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Swagger UI from the local static files: nothing loads from a CDN, and no validator is called.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No deep links (a link inside each operation's button) and no colours in the examples: both
    # fail WCAG checks in Swagger UI.
    "SWAGGER_UI_SETTINGS": {
        "deepLinking": False,
        "validatorUrl": None,
        "supportedSubmitMethods": ["get"],
        "syntaxHighlight": {"activated": False},
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "public_portal.transparency.api.schema.add_filter_choices",
    ],
}

# --- Security -----------------------------------------------------------------------------------
HTTPS = env.bool("HTTPS", default=False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env.bool("BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# The Content-Security-Policy (django-csp, docs/headers.md): everything from this site, nothing inline
# (no inline script, style or event handler), no plugins, never framed, forms only to this site. A page
# that needs more says so with django-csp's decorators (the API documentation: images from data: URLs).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "object-src": ["'none'"],
    },
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
# Trust X-Forwarded-For for the client address only behind a known proxy.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# --- Logging ------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_context": {"()": "oversight.context.RequestContextLogFilter"},
        # A public visitor's request (its address and headers) never reaches a handler.
        "public_visitor": {"()": "oversight.context.PublicVisitorLogFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_context", "public_visitor"],
            "formatter": "plain",
        },
        # Django's error email (to ADMINS), which lists the request's headers: staff requests only.
        "mail_admins": {
            "level": "ERROR",
            "class": "django.utils.log.AdminEmailHandler",
            "filters": ["require_debug_false", "public_visitor"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Replaces Django's default handlers on "django" (its error email had no filter).
        "django": {"handlers": ["mail_admins"]},
        # Request bodies and POST data never reach the logs.
        "django.request": {"level": "ERROR", "propagate": True},
    },
}
CSRF_FAILURE_VIEW = "oversight.views.csrf_failure"
