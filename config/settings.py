"""ConsultDesk settings: one module, read from the environment, loud on bad values.

Every variable is documented in `.env.example`. The embedded default (no environment at
all) runs on SQLite under `CONSULTDESK_DATA_DIR`; `CONSULTDESK_PRODUCTION=1` refuses to
start without an explicit `SECRET_KEY`, `DATABASE_URL` and `ALLOWED_HOSTS`.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from config.env import (
    database_from_url,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    env_time_zone,
    load_or_create_secret_key,
)

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = BASE_DIR / "consultdesk"

PRODUCTION = env_bool("CONSULTDESK_PRODUCTION", default=False)
DATA_DIR = Path(env_str("CONSULTDESK_DATA_DIR", default="var")).expanduser().resolve()

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env_str("SECRET_KEY", default="") or load_or_create_secret_key(
    data_dir=DATA_DIR, production=PRODUCTION
)
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"]
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

DATABASES = {
    "default": database_from_url(
        env_str("DATABASE_URL", default=""),
        sqlite_default=DATA_DIR / "consultdesk.sqlite3",
        production=PRODUCTION,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "consultdesk.accounts",
    "consultdesk.web",
    "consultdesk.clients",
    "consultdesk.consultations",
    "consultdesk.sla",
    "consultdesk.intake",
    "consultdesk.insights",
    "consultdesk.conversations",
    "consultdesk.wechat",
    "consultdesk.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "consultdesk.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes requires: it answers locked-out login attempts.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Password guessing: after AXES_FAILURE_LIMIT failures for one user name from one
# address, that pair is locked out for an hour.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = datetime.timedelta(hours=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
AXES_RESET_ON_SUCCESS = True
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "inbox"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env_choice("LANGUAGE_CODE", default="zh-hans", choices=["zh-hans", "en"])
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_time_zone("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Production serves what `collectstatic` writes here; the embedded mode needs no copy.
STATIC_ROOT = DATA_DIR / "static" if PRODUCTION else None
MEDIA_ROOT = DATA_DIR / "media"
# Embedded mode serves static files straight from the apps (no collectstatic step);
# production serves the hashed, compressed copies that `collectstatic` writes.
WHITENOISE_USE_FINDERS = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

EMAIL_HOST = env_str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env_int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", default="ConsultDesk <consultdesk@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
    # Preloading commits the whole domain to HTTPS for browsers' lifetime: the operator's
    # choice (SECURE_HSTS_PRELOAD=1), so its absence is not reported as a problem.
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if not env_str("REDIS_URL", default="")
    else {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("REDIS_URL", default=""),
    }
}

CONSULTDESK_PAGE_SIZE = env_int("CONSULTDESK_PAGE_SIZE", default=50)
# Public website form: submissions allowed per IP address in ten minutes.
CONSULTDESK_FORM_RATE = env_int("CONSULTDESK_FORM_RATE", default=5)
# Inbound mail by IMAP (consultdesk fetch-mail; the worker polls it when IMAP_HOST is set).
IMAP_HOST = env_str("IMAP_HOST", default="")
IMAP_PORT = env_int("IMAP_PORT", default=993)
IMAP_SSL = env_bool("IMAP_SSL", default=True)
IMAP_USER = env_str("IMAP_USER", default="")
IMAP_PASSWORD = env_str("IMAP_PASSWORD", default="")
IMAP_FOLDER = env_str("IMAP_FOLDER", default="INBOX")
# WeChat channels (docs/wechat.md). An empty token/key switches that callback off (404).
CONSULTDESK_BASE_URL = env_str("CONSULTDESK_BASE_URL", default="")
CONSULTDESK_WECOM_CORP_ID = env_str("CONSULTDESK_WECOM_CORP_ID", default="")
CONSULTDESK_WECOM_TOKEN = env_str("CONSULTDESK_WECOM_TOKEN", default="")
CONSULTDESK_WECOM_AES_KEY = env_str("CONSULTDESK_WECOM_AES_KEY", default="")
CONSULTDESK_WECOM_AGENT_ID = env_str("CONSULTDESK_WECOM_AGENT_ID", default="")
CONSULTDESK_WECOM_SECRET = env_str("CONSULTDESK_WECOM_SECRET", default="")
CONSULTDESK_WECHAT_KF_SECRET = env_str("CONSULTDESK_WECHAT_KF_SECRET", default="")
CONSULTDESK_WECHAT_KF_TOKEN = env_str("CONSULTDESK_WECHAT_KF_TOKEN", default="")
CONSULTDESK_WECHAT_KF_AES_KEY = env_str("CONSULTDESK_WECHAT_KF_AES_KEY", default="")
CONSULTDESK_WECHAT_KF_ACCOUNTS = env_list("CONSULTDESK_WECHAT_KF_ACCOUNTS", default=[])
CONSULTDESK_OA_APP_ID = env_str("CONSULTDESK_OA_APP_ID", default="")
CONSULTDESK_OA_TOKEN = env_str("CONSULTDESK_OA_TOKEN", default="")
CONSULTDESK_OA_AES_KEY = env_str("CONSULTDESK_OA_AES_KEY", default="")
CONSULTDESK_WECHAT_API_BASE = env_str(
    "CONSULTDESK_WECHAT_API_BASE", default="https://qyapi.weixin.qq.com"
)
CONSULTDESK_WECHAT_HTTP_TIMEOUT = env_int("CONSULTDESK_WECHAT_HTTP_TIMEOUT", default=10)
# Refuse callbacks older than this many seconds (0 = off; 600 is sensible in production).
CONSULTDESK_WECHAT_MAX_AGE_SECONDS = env_int("CONSULTDESK_WECHAT_MAX_AGE_SECONDS", default=0)
# Dotted path of a voice transcriber (WeCom sends no recognition text); empty = none.
CONSULTDESK_WECHAT_TRANSCRIBER = env_str("CONSULTDESK_WECHAT_TRANSCRIBER", default="")
# Inbound mail: attachments above this size are listed but not kept.
CONSULTDESK_MAX_ATTACHMENT_MB = env_int("CONSULTDESK_MAX_ATTACHMENT_MB", default=25)

# Background work (notifications, SLA sweeps, mail polling) goes through Django's Tasks
# API (the django-tasks backport) into a database-backed queue that `consultdesk worker`
# drains; several workers may share it.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Where notifications go besides the in-app list: email always, WeCom when configured.
CONSULTDESK_NOTIFICATION_TRANSPORTS = [
    "consultdesk.sla.notifications.EmailTransport",
    "consultdesk.wechat.transport.WeComTransport",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", default="INFO")},
    # django-axes announces itself at INFO on every start, also on every CLI command.
    "loggers": {"axes": {"level": "WARNING"}},
}
