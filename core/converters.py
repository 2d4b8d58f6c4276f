"""Path converters (registered by core.apps). `text` is Django's `str` (anything but a slash) without the NUL
character, which PostgreSQL cannot compare: a block code, CIN or ledger stream with %00 in the path was a 500, and
is now no such page (404)."""

from django.urls.converters import StringConverter


class TextConverter(StringConverter):
    regex = "[^/\x00]+"
