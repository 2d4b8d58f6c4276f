"""Who a user is to a clearance case (the facts `clearances.permissions` judges), and the cases a user may see."""

from django.db.models import Q, QuerySet

from authorities.models import Authority
from authorities.selectors import authorities_of
from bidders.roles import is_regulator
from clearances.models import Case
from clearances.permissions import Actor, CaseFacts
from licences.selectors.common import holder_role


def actor_for(user, licence) -> Actor:
    """The facts about `user` that decide what they may see and do on `licence`'s cases."""
    if not getattr(user, "is_authenticated", False):
        return Actor()
    posts = list(authorities_of(user).values_list("id", "facilitation_desk"))
    ids = frozenset(pk for pk, _desk in posts)
    supervised = frozenset(Authority.objects.filter(supervising_office_id__in=ids).values_list("id", flat=True))
    return Actor(
        authenticated=True,
        regulator=is_regulator(user),
        holder_role=holder_role(user=user, licence=licence),
        authority_ids=ids,
        supervised_ids=supervised if ids else frozenset(),
        desk=any(desk for _pk, desk in posts),
    )


def case_facts(case: Case) -> CaseFacts:
    return CaseFacts(authority_id=case.authority_id, authority_works_here=case.authority.works_cases_here)


def cases_visible_to(user) -> QuerySet[Case]:
    """The cases `user` may see: all for a regulator or the facilitation desk; a firm's own licences' cases; an
    officer's authority's cases and those of the bodies it supervises. None for the anonymous (the public reads
    the register's view of cases, not this)."""
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    posts = authorities_of(user)
    if is_regulator(user) or posts.filter(facilitation_desk=True).exists():
        return Case.objects.all()
    ids = list(posts.values_list("id", flat=True))
    return Case.objects.filter(
        Q(licence__holder__memberships__user=user)
        | Q(authority_id__in=ids)
        | Q(authority__supervising_office_id__in=ids)
    ).distinct()
