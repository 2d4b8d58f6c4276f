"""Where this portal is and what it calls itself in mail: absolute links, the domain of Message-IDs and UIDs, and the
hash of secret tokens (stored instead of the tokens)."""

import hashlib
from email.utils import parseaddr

from django.conf import settings


def absolute(path: str) -> str:
    """A link to `path` on this portal (SITE_URL); a full URL is returned as it is."""
    return f"{settings.SITE_URL.rstrip('/')}{path}" if path.startswith("/") else path


def mail_domain() -> str:
    """The domain of Message-IDs and calendar UIDs: EMAIL_MESSAGE_ID_DOMAIN, else the sender's domain."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]  # "Khanij <noreply@example.gov.in>" or a bare address
    return settings.EMAIL_MESSAGE_ID_DOMAIN or address.rpartition("@")[2] or "khanij.local"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
