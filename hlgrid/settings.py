"""hlgrid settings: one module, configured from the environment.

Defaults are the embedded ones `make run` uses (SQLite and a filesystem Celery
broker under var/); production sets DATABASE_URL, REDIS_URL, SECRET_KEY,
ALLOWED_HOSTS and FIELD_ENCRYPTION_KEY. With DEBUG off a missing secret stops
start-up instead of running with a guessable default.
"""

import base64
import hashlib
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

from hlgrid.env import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("HLGRID_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)

_DEV_SECRET = "hlgrid-development-only-secret-key-not-for-production-use-0123456789"
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (e.g. SECRET_KEY=$(openssl rand -hex 40))."
        )
    SECRET_KEY = _DEV_SECRET

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Fernet key for personal data encrypted at rest (ID numbers, phones, health details).
FIELD_ENCRYPTION_KEY = env_str("FIELD_ENCRYPTION_KEY")
if not FIELD_ENCRYPTION_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY must be set when DEBUG is off: a urlsafe base64 key of 32 bytes "
            '(python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())").'
        )
    FIELD_ENCRYPTION_KEY = base64.urlsafe_b64encode(
        hashlib.sha256(b"hlgrid-development-field-key").digest()
    ).decode()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "mptt",
    "axes",
    "hlgrid",
    "grids",
    "residents",  # apps:residents
    "petitions",  # apps:petitions
    "evaluation",  # apps:evaluation
    "party",  # apps:party
    "deliberation",  # apps:deliberation
    "mediation",  # apps:mediation
    "property",  # apps:property
    "exchange",  # apps:exchange
    "open311",  # apps:open311
    "lists",  # apps:lists
    "supervision",  # apps:supervision
    "rollups",  # apps:rollups
    "announcements",  # apps:announcements
    "dashboards",  # apps:dashboards
    "bulletins",  # apps:bulletins
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed too (a worker's page on 4G; issue 16), not the API (hlgrid/compression.py).
    # After WhiteNoise, which answers the static files itself with their .br/.gz.
    "hlgrid.compression.PageGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # An id in a URL too large for the database names nothing: 404 before the view.
    "hlgrid.ids.IdRangeMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A password set by an official must be changed before anything else (hlgrid.passwords).
    "hlgrid.passwords.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A view's 404 is the site's page, in DEBUG too (hlgrid.errors).
    "hlgrid.errors.StyledNotFoundMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during authentication into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "hlgrid.wsgi.application"
AUTH_USER_MODEL = "hlgrid.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # {% icon "name" %} in every template without a {% load %} (the SVG sprite)
            "builtins": ["hlgrid.templatetags.icons"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "portal.navigation.navigation",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    # Behind PgBouncer in transaction pooling (DATABASE_POOL=transaction) a server connection
    # serves another client after each transaction, so nothing may outlive one: no server-side
    # cursors (a named cursor lives across fetches), and Django keeps no connection of its own
    # (PgBouncer pools them). Session-level advisory locks and SET are never used by the code
    # for the same reason (locks are transaction-level: pg_advisory_xact_lock, FOR UPDATE).
    DATABASE_POOL = env_choice("DATABASE_POOL", ["transaction", ""], "")
    if DATABASE_POOL == "transaction":
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
        DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "hlgrid.sqlite3",
            # The web server, the Celery worker and beat share this file: wait for the lock
            # instead of failing, take the write lock at BEGIN so two writers never deadlock,
            # and let readers proceed beside a writer (WAL).
            "OPTIONS": {
                "timeout": 30,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache, Celery -------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache that degrades to a per-process cache while Redis is down,
            # so the rate limiter and the dashboards never fail a request (hlgrid/cache.py).
            "BACKEND": "hlgrid.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "hlgrid",
            "TIMEOUT": 300,
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {"visibility_timeout": 3600}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": VAR_DIR / "cache",
            "TIMEOUT": 300,
        }
    }
    # kombu's filesystem transport: a broker that needs no server, shared by the processes
    # of `make run` through a folder.
    _broker_dir = VAR_DIR / "celery"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # Fanout exchanges (worker control, e.g. `celery inspect`) go here, not into the cwd.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }

# Rendered fragments that are a pure function of their cache key (base.html's menu: the
# sections, badges, staff flag and language; portal.navigation.Menu.key): kept in each
# process's memory, never shared and never stale across a deploy (a new process starts empty).
# While developing (DEBUG) nothing is kept, so that a template edit shows at once.
CACHES["fragments"] = {
    "BACKEND": (
        "django.core.cache.backends.dummy.DummyCache"
        if DEBUG
        else "django.core.cache.backends.locmem.LocMemCache"
    ),
    "LOCATION": "fragments",
    "TIMEOUT": None,
    "OPTIONS": {"MAX_ENTRIES": 1000},
}

CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "sweep-lights": {
        "task": "hlgrid.tasks.sweep_lights",
        "schedule": float(env_int("SWEEP_INTERVAL", 60)),
        # A sweep older than its interval is useless: drop it rather than pile them up.
        "options": {"expires": 55},
    },
    # The workers' red lights of the day by SMS, every morning (the task skips days off).
    "red-lights-sms": {
        "task": "petitions.tasks.red_lights_sms",
        "schedule": crontab(hour=env_int("RED_LIGHTS_SMS_HOUR", 8), minute=0),
        "options": {"expires": 3 * 3600},
    },
    # The bulletins (定期通报) of the week and of the month that ended, for the city and every
    # street, sent to the grid heads and the streets' Party secretaries (idempotent per period).
    "bulletins-weekly": {
        "task": "bulletins.tasks.bulletins_generate",
        "schedule": crontab(day_of_week=1, hour=env_int("BULLETINS_HOUR", 7), minute=30),
        "args": ("WEEK",),
        "options": {"expires": 12 * 3600},
    },
    "bulletins-monthly": {
        "task": "bulletins.tasks.bulletins_generate",
        "schedule": crontab(day_of_month=1, hour=env_int("BULLETINS_HOUR", 7), minute=45),
        "args": ("MONTH",),
        "options": {"expires": 12 * 3600},
    },
    # The dashboards' rollups recomputed from the source rows, drift corrected, every night.
    "rollups-reconcile": {
        "task": "rollups.tasks.reconcile",
        "schedule": crontab(hour=env_int("ROLLUPS_RECONCILE_HOUR", 3), minute=30),
        "options": {"expires": 6 * 3600},
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
if REDIS_URL:
    # One beat for the whole deployment: RedBeat keeps the schedule in Redis and holds a lock
    # there while it runs, so a second beat started by mistake (or as a standby on another
    # machine) waits for the lock and sends nothing; it takes over within the lock's timeout
    # when the first one dies. Without Redis (`make run` on embedded defaults) there is one
    # machine and the file scheduler.
    CELERY_BEAT_SCHEDULER = "redbeat.RedBeatScheduler"
    _BEAT_LOCK_TIMEOUT = env_int("BEAT_LOCK_TIMEOUT", 60)
    # Wake at least this often, so the lock is extended well inside its timeout.
    CELERY_BEAT_MAX_LOOP_INTERVAL = max(1, _BEAT_LOCK_TIMEOUT // 5)
    # RedBeat reads its own keys without Celery's namespace: hlgrid/celery.py hands it these.
    REDBEAT_CONF = {
        "redbeat_redis_url": REDIS_URL,
        "redbeat_redis_options": {},
        "redbeat_key_prefix": env_str("BEAT_KEY_PREFIX", "hlgrid:beat:"),
        "redbeat_lock_timeout": _BEAT_LOCK_TIMEOUT,
    }
# A sweep is considered stale (and /healthz unhealthy) after this many seconds.
SWEEP_STALE_AFTER = env_int("SWEEP_STALE_AFTER", 300)
# The escalation ladder (petitions.ladder): a red petition climbs one level per this many
# working hours, counted in office hours (local time) on working days.
LADDER_INTERVAL_HOURS = env_int("LADDER_INTERVAL_HOURS", 8)
LADDER_OFFICE_HOURS = ((8, 30), (17, 30))

# --- Auth ---------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Five wrong passwords for one account from one address lock it for AXES_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The API gets its JSON error (429 with Retry-After), pages the template above.
AXES_LOCKOUT_CALLABLE = "hlgrid.throttles.lockout_response"
AXES_IPWARE_PROXY_COUNT = env_int("AXES_PROXY_COUNT", 0) or None
AXES_VERBOSE = False

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every request otherwise
_NODE = BASE_DIR / "node_modules"
# Third-party front-end packages come from package.json (npm), never committed; build/ is
# written by `make assets` (frontend/build.mjs: the icon sprite, the purged stylesheet, the
# service worker), never committed either.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("dist", BASE_DIR / "build"),
]
# The files of node_modules the pages load, not the packages' whole dist/ (hlgrid.staticfinders).
STATIC_VENDOR = [
    (
        "vendor/bootstrap",
        _NODE / "bootstrap" / "dist",
        ["js/bootstrap.bundle.min.js", "js/bootstrap.bundle.min.js.map"],
    ),
    ("vendor/idb", _NODE / "idb" / "build", ["umd.js"]),
    ("vendor/htmx", _NODE / "htmx.org" / "dist", ["htmx.min.js"]),
    ("vendor/echarts", _NODE / "echarts" / "dist", ["echarts.min.js"]),
    (
        "vendor/leaflet",
        _NODE / "leaflet" / "dist",
        ["leaflet.js", "leaflet.js.map", "leaflet.css", "images/*.png"],
    ),
    (
        "vendor/leaflet-geoman",
        _NODE / "@geoman-io" / "leaflet-geoman-free" / "dist",
        ["leaflet-geoman.js", "leaflet-geoman.js.map", "leaflet-geoman.css", "leaflet-geoman.css.map"],
    ),
]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "hlgrid.staticfinders.VendorFinder",
]
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", not DEBUG)
# With the manifest (production, and `make run` after its collectstatic) WhiteNoise serves only
# the collected files: hashed names cached forever ("immutable"), each with its .br and .gz.
WHITENOISE_USE_FINDERS = DEBUG and not STATIC_MANIFEST
# Source maps are read by a developer's tools only: not worth brotli's time at every collectstatic
# (they were most of its bytes).
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
WHITENOISE_AUTOREFRESH = DEBUG and not STATIC_MANIFEST
# Uploads on the local disk (one machine), or on S3-compatible object storage
# (MEDIA_STORAGE=s3) when several web and worker machines must see the same files.
MEDIA_STORAGE = env_choice("MEDIA_STORAGE", ["filesystem", "s3"], "filesystem")
if MEDIA_STORAGE == "s3":
    _MEDIA_BACKEND = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET"),
            "endpoint_url": env_str("S3_ENDPOINT_URL"),
            "region_name": env_str("S3_REGION"),
            "access_key": env_str("S3_ACCESS_KEY_ID"),
            "secret_key": env_str("S3_SECRET_ACCESS_KEY"),
            # Never public: every file leaves through a view that checked the user
            # (hlgrid.media), as a short-lived signed address.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": env_int("S3_URL_EXPIRES", 60),
            "file_overwrite": False,
            "signature_version": "s3v4",
            "addressing_style": env_choice("S3_ADDRESSING_STYLE", ["path", "virtual", "auto"], "auto"),
        },
    }
    if not _MEDIA_BACKEND["OPTIONS"]["bucket_name"]:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs S3_BUCKET")
else:
    _MEDIA_BACKEND = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _MEDIA_BACKEND,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Uploads are never served openly: each app's checked view answers through hlgrid.media, which
# hands the sending to the front proxy ("nginx": X-Accel-Redirect to MEDIA_INTERNAL_PREFIX,
# "apache": X-Sendfile) or, unset, streams the file itself.
# "redirect": a 302 to the storage's signed address (object storage: the bytes never pass
# through a web worker).
MEDIA_SENDFILE = env_choice("MEDIA_SENDFILE", ["nginx", "apache", "redirect", ""], "")
MEDIA_INTERNAL_PREFIX = env_str("MEDIA_INTERNAL_PREFIX", "/protected-media/")

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: DRF answers an anonymous call with 401 and WWW-Authenticate only when the
    # first class names a scheme (session auth has none: 403). Session calls keep their CSRF check.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Bounded parsers: a body over the limit is a 413, any JSON the decoder cannot take a 400.
    "DEFAULT_PARSER_CLASSES": [
        "hlgrid.parsers.JSONParser",
        "hlgrid.parsers.FormParser",
        "hlgrid.parsers.MultiPartParser",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "hlgrid.passwords.PasswordChosen",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "hlgrid.pagination.DefaultCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "hlgrid.errors.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "public": env_str("PUBLIC_THROTTLE_RATE", "30/minute"),
        # 我的网格: a resident tapping the map (portal.public_api), counted apart from reports.
        "public-card": env_str("PUBLIC_CARD_THROTTLE_RATE", "60/minute"),
        # Residents' look-ups while they type or drag the pin (buildings, nearby reports).
        "public-lookup": env_str("PUBLIC_LOOKUP_THROTTLE_RATE", "120/minute"),
        # Token logins per client address, whatever the usernames (hlgrid/throttles.py).
        "token-burst": env_str("TOKEN_THROTTLE_BURST", "10/minute"),
        "token-sustained": env_str("TOKEN_THROTTLE_SUSTAINED", "60/hour"),
        # Open311 GeoReport v2 calls per client address (open311/).
        "open311": env_str("OPEN311_THROTTLE_RATE", "60/minute"),
        # Each 12345 platform's signed calls (exchange/api.py), whatever addresses it sends from.
        "partner": env_str("PARTNER_THROTTLE_RATE", "600/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "hlgrid API",
    "DESCRIPTION": "Grid-based community governance (网格化社会治理) for Helong City.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # The tags collapsed: a reader opens the app it needs, and the page stays light however
    # many operations the apps add (expanded, Swagger UI renders them only as they scroll in).
    "SWAGGER_UI_SETTINGS": {"docExpansion": "none"},
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several apps name a choice field "kind"; give the shared ones stable component names.
    "ENUM_NAME_OVERRIDES": {
        "NodeKindEnum": "grids.models.NodeKind",
        "PostKindEnum": "grids.models.PostKind",
        "DayKindEnum": "hlgrid.models.DayKind",
    },
    # The errors every operation can answer (401, 403, 400, 404), documented where they apply.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "hlgrid.schema.document_errors",
    ],
}

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): only this site's own files run, style or load, so an
# injected <script>, onclick= or third-party origin does nothing. Templates keep no inline
# script or style attribute (tests/hardening/test_csp.py scans them); data reaches scripts
# through json_script and data-* attributes. img-src allows data: (Bootstrap's icons in CSS)
# and blob: (previews of a photo being picked).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Load balancers probe over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if env_bool("BEHIND_TLS_PROXY", True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Notifications outside the app: SMS and WeChat Work (hlgrid.notifier, README) ---------
# Absolute links in messages read outside the site (the tracking page, the opt-out page).
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://127.0.0.1:8000")
# "log" (the default) writes a line without the number or the text, so `make run` works offline.
SMS_BACKEND = env_choice("SMS_BACKEND", ["log", "http"], "log")
SMS_HTTP_URL = env_str("SMS_HTTP_URL", "")
SMS_HTTP_KEY = env_str("SMS_HTTP_KEY", "")
SMS_SIGN_NAME = env_str("SMS_SIGN_NAME", "和龙网格")
# The deployment's name in page titles, the brand and the footer (hlgrid/templatetags/site.py)
# and the installed app's name; unset, Helong's in each language.
SITE_NAME = env_str("SITE_NAME", "")
SITE_SHORT_NAME = env_str("SITE_SHORT_NAME", "")
SMS_HTTP_TIMEOUT = env_int("SMS_HTTP_TIMEOUT", 5)
if SMS_BACKEND == "http" and not SMS_HTTP_URL:
    raise ImproperlyConfigured("SMS_BACKEND=http needs SMS_HTTP_URL (the provider's send endpoint).")
if SMS_BACKEND == "http" and not DEBUG and not env_str("PUBLIC_BASE_URL"):
    raise ImproperlyConfigured("SMS_BACKEND=http needs PUBLIC_BASE_URL: the links in messages point there.")
WECOM_BACKEND = env_choice("WECOM_BACKEND", ["log", "http"], "log")
WECOM_HTTP_TIMEOUT = env_int("WECOM_HTTP_TIMEOUT", 5)
# Messages per recipient (a phone, a group's robot) and local day; over it a message is suppressed.
NOTIFY_DAILY_LIMITS = {"SMS": env_int("SMS_DAILY_LIMIT", 10), "WECOM": env_int("WECOM_DAILY_LIMIT", 100)}
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 6)
NOTIFY_RETRY_BASE_SECONDS = env_int("NOTIFY_RETRY_BASE_SECONDS", 60)
NOTIFY_RETRY_MAX_SECONDS = env_int("NOTIFY_RETRY_MAX_SECONDS", 3600)
# A message whose task never came (the broker was down) is sent by the sweep after this long.
NOTIFY_CATCH_UP_SECONDS = env_int("NOTIFY_CATCH_UP_SECONDS", 120)
# --- Open311 GeoReport v2 (open311/; README "Open311 GeoReport v2") ---------------------------
# Who to ask about the endpoint (the discovery document's `contact`).
OPEN311_CONTACT = env_str("OPEN311_CONTACT", "")
OPEN311_ENDPOINT_TYPE = env_choice("OPEN311_ENDPOINT_TYPE", ["production", "test"], "production")
# The petition sources whose requests GET requests publishes (the residents' own reports).
OPEN311_PUBLIC_SOURCES = env_list("OPEN311_PUBLIC_SOURCES", ["RESIDENT"])

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "hlgrid@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # httpx logs every request's full URL at INFO: a WeChat Work webhook's key is a secret.
        "httpx": {"level": "WARNING"},
    },
}
