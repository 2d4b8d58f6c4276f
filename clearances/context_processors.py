"""`clearance_posts` for every template: whether the signed-in user is an officer of a body (`officer`) or of the
facilitation desk (`desk`), for the navigation's links; read in one query, only if a template uses it."""

from django.utils.functional import SimpleLazyObject

from authorities.models import Officer


def posts(request):
    def read():
        user = getattr(request, "user", None)
        if not getattr(user, "is_authenticated", False):
            return {"officer": False, "desk": False}
        desks = list(
            Officer.objects.filter(user=user, removed_at__isnull=True).values_list(
                "authority__facilitation_desk", flat=True
            )
        )
        return {"officer": not all(desks), "desk": any(desks)} if desks else {"officer": False, "desk": False}

    return {"clearance_posts": SimpleLazyObject(read)}
