"""Settings of the demo site: SQLite in demo/db.sqlite3, email printed to the console.

Not for production: the secret key is public and DEBUG is on.
"""

from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "demo-only-not-secret"  # noqa: S105  (a local demo)
DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "blog",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # 0.2.1's demo models (TestModel1, TestModel2), for the quickstart.
    "django_signal_notifier.quickstart",
    "django_signal_notifier",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # The logged-in user becomes the actor of the events sent while handling a request.
    "django_signal_notifier.events.actor.ActorMiddleware",
]

ROOT_URLCONF = "demo.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # demo/templates overrides the package's inbox and preferences pages to use the blog's layout.
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
WSGI_APPLICATION = "demo.wsgi.application"
ASGI_APPLICATION = "demo.asgi.application"

DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "blog:index"
LOGOUT_REDIRECT_URL = "blog:index"

# Every email the demo sends is printed in the terminal that runs `make demo`.
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = "demo@localhost"

SIGNAL_NOTIFIER = {
    # Links in emails are made absolute with it, and it is the base of their unsubscribe links.
    "SITE_URL": "http://127.0.0.1:8000",
    # One process: a trigger changed in the admin is seen at once anyway; 1 s keeps a second
    # process (e.g. `manage.py shell`) in step quickly.
    "CONFIG_CHECK_INTERVAL": 1.0,
    # `make demo` serves the site under uvicorn (ASGI): the badge and the inbox page stream their
    # changes. SQLite has no LISTEN/NOTIFY and the demo needs no Redis: the one uvicorn process
    # carries them itself ("process"; a site with workers uses PostgreSQL or Redis).
    "REALTIME_BROKER": "process",
    # Where the page polls instead (runserver, WSGI) the badge polls every 2 s (the default is 30).
    "INBOX_POLL_INTERVAL": 2,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django_signal_notifier": {"handlers": ["console"], "level": "INFO"}},
}
