"""Test settings: the real settings with fast hashing and an isolated data directory."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")
os.environ.setdefault("CONSULTDESK_DATA_DIR", tempfile.mkdtemp(prefix="consultdesk-test-"))

from config.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LANGUAGE_CODE = "en"
# Tests run enqueued tasks at once, in the same process.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not SQLite's shared-cache in-memory database: the browser tests' live server
    # answers in several threads, and shared-cache tables fail at once with "database
    # table is locked" (SQLITE_LOCKED ignores the busy timeout) where a file waits.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(os.environ["CONSULTDESK_DATA_DIR"], "test.sqlite3")
    }
