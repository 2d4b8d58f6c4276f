"""`licence_deadlines` for every template: the signed-in firm's open deadlines, read only if a template uses it.

The firm's dashboard (templates/bidders/dashboard.html) includes templates/licences/_deadlines.html, which
reads this; so `bidders` shows the deadlines without importing `licences` (imports keep one direction).
"""

from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from bidders.roles import firm_of
from licences.selectors.register import firm_deadline_summary


def deadlines(request):
    def summary():
        firm = firm_of(getattr(request, "user", None))
        if firm is None:
            return None
        return firm_deadline_summary(user=request.user, today=timezone.localdate())

    return {"licence_deadlines": SimpleLazyObject(summary)}
