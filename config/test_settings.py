"""Settings for the test suite: the real settings, with a test-only secret and fast password hashing."""

import os

os.environ.setdefault("SECRET_KEY", "insecure-test-only-secret-key")
os.environ.setdefault("SEALED_OFFER_KEY", "dGVzdC1vbmx5LXNlYWxpbmcta2V5LTMyLWJ5dGVzISE=")
os.environ.setdefault("KHANIJ_VAR_DIR", os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "test"))

from config.settings import *  # noqa: E402,F403
from config.settings import STORAGES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
