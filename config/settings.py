"""Settings, read only from the environment (or a `.env` file beside manage.py).

Every setting is documented in `.env.example`.
"""

import secrets
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import environ
import jinja2
from cryptography.fernet import Fernet
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Asana -----------------------------------------------------------------------------
ASANA_ACCESS_TOKEN: str = env.str("ASANA_ACCESS_TOKEN", default="")
ASANA_BASE_URL: str = env.str("ASANA_BASE_URL", default="https://app.asana.com/api/1.0")
ASANA_WORKSPACE_GID: str = env.str("ASANA_WORKSPACE_GID", default="")
ASANA_TIMEOUT: float = env.float("ASANA_TIMEOUT", default=10.0)
# How long Asana's answers are reused (seconds); the dashboard's own writes clear them.
ASANA_CACHE_SECONDS: int = env.int("ASANA_CACHE_SECONDS", default=60)
# Threads fetching from Asana at once (date windows, overview categories); Asana allows a
# token 50 concurrent reads, shared by every process using the token.
ASANA_MAX_CONCURRENCY: int = env.int("ASANA_MAX_CONCURRENCY", default=16)
# Requests a minute per token, across every process and server (Asana: 150 free, 1,500 paid).
ASANA_REQUESTS_PER_MINUTE: int = env.int("ASANA_REQUESTS_PER_MINUTE", default=1500)
DEBUG: bool = env.bool("DEBUG", default=False)
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Host names that only this machine can reach. A dashboard answering to nothing else runs
# on someone's laptop (`make run`); one that answers to any other name (or "*") is a
# deployment, reachable by others: that decides demo mode and HTTPS-only defaults.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
LOCAL_ONLY: bool = all(host.lower() in LOOPBACK_HOSTS for host in ALLOWED_HOSTS)

# Where the token's budget is kept: Redis (shared by every server) or, without REDIS_URL, a
# file every process of this machine shares. A request waits this long for a slot, then
# the page says when to try again.
REDIS_URL: str = env.str("REDIS_URL", default="")
ASANA_BUDGET_WAIT_SECONDS: float = env.float("ASANA_BUDGET_WAIT_SECONDS", default=10.0)
ASANA_BUDGET_FILE = Path(
    env.str("ASANA_BUDGET_FILE", default=str(VAR_DIR / "asana-budget.sqlite3"))
)
# Shares of the token's budget: one person's at most (of the concurrent slots and of the
# minute), so nobody starves the others; background work's (the job worker) at most of the
# minute and the reads, and its concurrent writes (of Asana's 15), so pages keep headroom.
ASANA_BUDGET_PERSON_SHARE: float = env.float("ASANA_BUDGET_PERSON_SHARE", default=0.5)
ASANA_BUDGET_BACKGROUND_SHARE: float = env.float("ASANA_BUDGET_BACKGROUND_SHARE", default=0.8)
ASANA_BUDGET_BACKGROUND_WRITES: int = env.int("ASANA_BUDGET_BACKGROUND_WRITES", default=12)

# Requests one page view may send to read a category's entries (pages of 100, all date
# windows together); a range that would take more says so and offers the CSV instead.
ASANA_MAX_REQUESTS_PER_VIEW: int = env.int("ASANA_MAX_REQUESTS_PER_VIEW", default=100)

# Moving time: a job's concurrent writes (Asana allows a token 15; the shared budget gives
# background work at most 12 of them), and after how long without a sign of life another
# worker takes over a job whose worker vanished (on this machine a dead worker is seen at
# once, by its process id).
JOBS_MAX_CONCURRENT_WRITES: int = min(15, max(1, env.int("JOBS_MAX_CONCURRENT_WRITES", default=12)))
JOBS_STALE_SECONDS: float = env.float("JOBS_STALE_SECONDS", default=60.0)
# The durable queue the job workers (`make worker`, `manage.py jobs_worker`) take jobs from.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["jobs"]}}


# --- Signing in with Asana (OAuth 2.0) ---------------------------------------------------
# The dashboard's app registered in Asana (Developer console): with both set, the login page
# offers "Sign in with Asana" and each person acts with their own Asana token. The two OAuth
# endpoints are at the origin of ASANA_BASE_URL (/-/oauth_authorize and /-/oauth_token).
ASANA_OAUTH_CLIENT_ID: str = env.str("ASANA_OAUTH_CLIENT_ID", default="")
ASANA_OAUTH_CLIENT_SECRET: str = env.str("ASANA_OAUTH_CLIENT_SECRET", default="")
if bool(ASANA_OAUTH_CLIENT_ID) != bool(ASANA_OAUTH_CLIENT_SECRET):
    raise ImproperlyConfigured(
        "Set both ASANA_OAUTH_CLIENT_ID and ASANA_OAUTH_CLIENT_SECRET (or neither): signing "
        "in with Asana needs the app's id and its secret."
    )
_OAUTH_CONFIGURED = bool(ASANA_OAUTH_CLIENT_ID)

# Demo mode: the offline sandbox instead of Asana. On by itself only on a laptop with
# neither a token nor signing in with Asana; a deployment must ask for it, so a forgotten
# token never serves the demo (and its printed passwords) to the world.
DEMO_MODE: bool = env.bool(
    "DEMO_MODE", default=LOCAL_ONLY and not ASANA_ACCESS_TOKEN and not _OAUTH_CONFIGURED
)
if not DEMO_MODE and not ASANA_ACCESS_TOKEN and not _OAUTH_CONFIGURED:
    raise ImproperlyConfigured(
        "Set ASANA_ACCESS_TOKEN, or ASANA_OAUTH_CLIENT_ID and ASANA_OAUTH_CLIENT_SECRET: this "
        f"dashboard answers to {', '.join(ALLOWED_HOSTS) or 'no host'} (ALLOWED_HOSTS), so it "
        "does not fall back to demo mode. Set DEMO_MODE=true to serve the offline demo on "
        "purpose."
    )


def _local_secret(name: str, make: Callable[[], str]) -> str:
    """A secret generated once and kept in var/ (readable by its owner only), so a laptop's
    sessions and stored sign-ins survive restarts."""
    key_file = VAR_DIR / name
    if not key_file.exists():
        key_file.write_text(make())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


# The demo signs in with Asana against the sandbox (which registers this app for itself in
# `make run`), beside the demo accounts. DEMO_OAUTH=false keeps only the accounts. A demo
# deployed on purpose (DEMO_MODE=true on a public host) offers it only when asked, since it
# then needs TOKEN_ENCRYPTION_KEYS like any sign-in with Asana.
DEMO_OAUTH: bool = env.bool("DEMO_OAUTH", default=LOCAL_ONLY)
if DEMO_MODE and DEMO_OAUTH and not _OAUTH_CONFIGURED:
    ASANA_OAUTH_CLIENT_ID = "category-dashboard-demo"
    ASANA_OAUTH_CLIENT_SECRET = _local_secret(
        "demo_oauth_client_secret", lambda: secrets.token_urlsafe(32)
    )
ASANA_OAUTH_ENABLED: bool = bool(ASANA_OAUTH_CLIENT_ID)
# How often a signed-in person's workspace roles (admin, member, guest) are asked of Asana
# again; they are also asked at every sign-in.
ASANA_ROLES_RECHECK_SECONDS: int = env.int("ASANA_ROLES_RECHECK_SECONDS", default=3600)


SECRET_KEY: str = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not LOCAL_ONLY:
        raise ImproperlyConfigured(
            "Set SECRET_KEY: it is required when the dashboard answers to other hosts "
            "than this machine (ALLOWED_HOSTS)."
        )
    SECRET_KEY = _local_secret("secret_key", lambda: secrets.token_urlsafe(50))

# Keys that encrypt the people's Asana tokens in the database (cryptography's Fernet):
# comma-separated, the first encrypts, every one decrypts. To rotate: put a new key first,
# run `manage.py rotate_token_keys`, then drop the old one. On this machine one is generated
# into var/; a deployment that signs in with Asana must set it.
TOKEN_ENCRYPTION_KEYS: list[str] = env.list("TOKEN_ENCRYPTION_KEYS", default=[])
if ASANA_OAUTH_ENABLED and not TOKEN_ENCRYPTION_KEYS:
    if not LOCAL_ONLY:
        raise ImproperlyConfigured(
            "Set TOKEN_ENCRYPTION_KEYS: signing in with Asana stores each person's tokens "
            "encrypted with it. Make one with: python -c 'from cryptography.fernet import "
            "Fernet; print(Fernet.generate_key().decode())'"
        )
    TOKEN_ENCRYPTION_KEYS = [
        _local_secret("token_encryption_key", lambda: Fernet.generate_key().decode())
    ]
for _key in TOKEN_ENCRYPTION_KEYS:
    try:
        Fernet(_key)
    except ValueError:
        raise ImproperlyConfigured(
            "TOKEN_ENCRYPTION_KEYS holds a value that is not a Fernet key (32 url-safe "
            "base64-encoded bytes)."
        ) from None

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",
    "axes",
    "categories",
    "categories.access",
    "categories.sandbox",
    "categories.jobs",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "categories.web.privacy.LoopbackWithoutHstsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "categories.web.privacy.PrivatePagesMiddleware",
    "categories.access.middleware.SignInRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "categories.web.middleware.BudgetShareMiddleware",
    "categories.web.middleware.ActingPersonMiddleware",
    "categories.web.middleware.IdentityPrefetchMiddleware",
    "categories.web.middleware.AsanaErrorMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "categories.web.context_processors.dashboard",
            ],
        },
    },
    {
        # Only for partials that repeat per row on hot paths (see templates/jinja2/).
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"autoescape": True, "undefined": jinja2.StrictUndefined},
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo sandbox writes from several gunicorn threads; wait for locks instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("timeout", 20)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# "default" keeps Asana's answers: in Redis with REDIS_URL (every server shares them),
# else in each process's memory; CACHE_URL, if set, wins. "shared" keeps what every process
# must see at once: the answers' generation, which the dashboard's own writes bump so that
# a write through one process retires the answers cached by all. In Redis with REDIS_URL
# (every server), else in files under var/ (every process of this machine: `make run`'s
# gunicorn workers).
_REDIS_CACHE = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
CACHES = {
    "default": (
        _REDIS_CACHE
        if REDIS_URL and not env.str("CACHE_URL", default="")
        else env.cache_url("CACHE_URL", default="locmemcache://dashboard")
    ),
    "shared": (
        _REDIS_CACHE
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "shared-cache"),
        }
    ),
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Sandbox (demo mode, tests, benchmarks) ---------------------------------------------
# Bearer token of the sandbox server's control API (/_sandbox/: reset, faults). Empty: each
# `manage.py asana_sandbox` start makes a random one and prints it.
SANDBOX_CONTROL_TOKEN: str = env.str("SANDBOX_CONTROL_TOKEN", default="")
# "per_minute,reads,writes" (e.g. 1500,50,15): the sandbox enforces Asana's per-token limits
# (429 with Retry-After). Empty: it only counts against Asana's. Counters: /_sandbox/usage.
SANDBOX_LIMITS: str = env.str("SANDBOX_LIMITS", default="")
# Seconds an access token the sandbox issues (signing in with it) stays valid; Asana's last
# an hour. Tests shorten it to see the dashboard refresh.
SANDBOX_OAUTH_TOKEN_SECONDS: int = env.int("SANDBOX_OAUTH_TOKEN_SECONDS", default=3600)

# --- Security ---------------------------------------------------------------------------
# Sign-ins go through django-axes' lockout check first, then Django's own user table.
AUTHENTICATION_BACKENDS = [
    "categories.access.throttling.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Demo accounts' generated passwords, shown on the login page in demo mode only.
DEMO_ACCOUNTS_FILE = VAR_DIR / "demo_accounts.json"

# HTTPS-only behaviour is on by default in a deployment (a host other than this machine in
# ALLOWED_HOSTS). It is off in DEBUG and on a laptop, which `make run` serves over plain
# http://127.0.0.1 whatever the token: a redirect would land where nothing listens, and
# HSTS for localhost would make the browser refuse every other local server on http.
_HTTPS_BY_DEFAULT = not DEBUG and not LOCAL_ONLY
SECURE_SSL_REDIRECT: bool = env.bool("SECURE_SSL_REDIRECT", default=_HTTPS_BY_DEFAULT)
# Load balancers probe the app over plain HTTP; the probes hold no data worth protecting.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE: bool = env.bool("SECURE_COOKIES", default=_HTTPS_BY_DEFAULT)
CSRF_COOKIE_SECURE: bool = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS: int = env.int(
    "SECURE_HSTS_SECONDS", default=365 * 24 * 3600 if _HTTPS_BY_DEFAULT else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS: bool = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD: bool = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Preloading commits the whole domain to HTTPS for months and is the domain owner's call,
# so it is opt-in; until opted in, check --deploy's reminder about it is silenced.
SILENCED_SYSTEM_CHECKS: list[str] = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# Only behind a proxy that sets X-Forwarded-Proto itself (and strips clients' copies).
if env.bool("TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE: int = env.int("SESSION_COOKIE_AGE", default=12 * 3600)
# Pages send the CSRF token in a header set from the template, so no script reads the cookie.
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "categories.access.views.csrf_failure"
# DEBUG error pages and error reports never show the Asana token, even in a frame's locals.
DEFAULT_EXCEPTION_REPORTER_FILTER = (
    "categories.web.error_reports.TokenHidingExceptionReporterFilter"
)
X_FRAME_OPTIONS = "DENY"

# django-csp 4: no inline script or style anywhere; everything comes from our own origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# django-axes: lock a username from one address after repeated failed sign-ins. Keyed on
# the pair: someone guessing locks that name at their own address only, never the real
# person at theirs, and never everyone behind one address.
AXES_FAILURE_LIMIT: int = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "categories.access.throttling.locked_out"

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
