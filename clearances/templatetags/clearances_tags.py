"""Template tags of the clearances: the cases on a licence's public page (`{% licence_clearances lic %}`, which the
licence register's template loads, so `licences` shows them without importing `clearances`), and the days a
stage is overdue by."""

from django import template
from django.utils import timezone

from clearances.models import Case
from clearances.selectors.public import licence_cases

register = template.Library()


@register.filter
def overdue_by(days_left) -> int:
    """The days past the target, from the days left (negative when overdue)."""
    return max(0, -int(days_left)) if days_left is not None else 0


@register.inclusion_tag("clearances/_licence_cases.html", takes_context=True)
def licence_clearances(context, licence):
    """The licence's clearance cases as the public sees them, with the link to file one for its holder."""
    return {
        "lic": licence,
        "cases": licence_cases(licence_id=licence.pk, on=timezone.localdate()),
        "may_file": getattr(context.get("current_firm"), "pk", None) == licence.holder_id,
        "request": context.get("request"),
    }


@register.filter
def kind_label(kind: str) -> str:
    """A kind of case as a person reads it: "mining_plan" -> "Mining plan approval"."""
    return dict(Case.Kind.choices).get(kind, kind)


@register.filter
def get(mapping, key):
    """`mapping[key]` in a template (None when missing)."""
    return mapping.get(key) if mapping else None
