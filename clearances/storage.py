"""Where clearance documents are kept: the `private` storage of settings.STORAGES, outside MEDIA_ROOT, so that no
static or media route ever serves them; a view that checks who asks streams them (never a public URL)."""

from django.core.files.storage import storages


def private_storage():
    return storages["private"]
