"""Who a user is to the clearance cases, read once per request for every list and page, and the cases each may see.

`clearances.selectors.access.actor_for(user, licence)` reads who a user is to one licence's cases; a list of cases
of many licences needs it for all of them at once. `viewer_of(user)` reads, in at most four queries whatever the
number of cases: the firms the user is a member of and their role in each, whether they are a regulator, the bodies
they are an officer of (the facilitation desk among them), and the bodies those supervise; `Viewer.actor(case)`
then gives the same `clearances.permissions.Actor` for any case without a query. `visible_filter` is
`permissions.may_see` as one SQL filter: the holder's members see their licences' cases; an officer, the cases of
their bodies and of the bodies those supervise (one State board's officer never sees another board's); the
facilitation desk and regulators see every case. `case_access` gives one case with what the viewer may do on it.
"""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from authorities.models import Authority, Officer
from bidders.models import Membership
from bidders.roles import is_regulator
from clearances import permissions as perm
from clearances.models import Case
from clearances.selectors.access import case_facts
from core.errors import NotFound


@dataclass(frozen=True)
class Viewer:
    authenticated: bool = False
    username: str = ""
    firm_roles: dict = field(default_factory=dict, compare=False)  # firm id -> role in it
    firm_id: int | None = None  # the firm the user acts for (bidders.roles.firm_of: the first membership)
    regulator: bool = False
    authority_ids: frozenset[int] = frozenset()
    supervised_ids: frozenset[int] = frozenset()
    desk: bool = False
    authorities: tuple = field(default=(), compare=False)

    @property
    def sees_all(self) -> bool:
        return self.regulator or self.desk

    @property
    def is_officer(self) -> bool:
        return bool(self.authority_ids)

    @property
    def role_names(self) -> list[str]:
        """For a person: "applicant", "officer", "facilitation desk", "regulator"."""
        names = []
        if self.firm_roles:
            names.append("applicant")
        if self.authority_ids:
            names.append("officer")
        if self.desk:
            names.append("facilitation desk")
        if self.regulator:
            names.append("regulator")
        return names

    def actor(self, case: Case) -> perm.Actor:
        """The pure `Actor` of `clearances.permissions` for this case."""
        return perm.Actor(
            authenticated=self.authenticated,
            regulator=self.regulator,
            holder_role=self.firm_roles.get(case.licence.holder_id),
            authority_ids=self.authority_ids,
            supervised_ids=self.supervised_ids,
            desk=self.desk,
        )


ANONYMOUS = Viewer()


def viewer_of(user) -> Viewer:
    """Who `user` is to the clearance cases (cached on the user for the request)."""
    if not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    cached = getattr(user, "_khanij_clearance_viewer", None)
    if cached is not None:
        return cached
    memberships = list(Membership.objects.filter(user=user).order_by("id").values_list("firm_id", "role"))
    posts = list(
        Officer.objects.filter(user=user, removed_at__isnull=True).select_related("authority").order_by("authority")
    )
    bodies = tuple(p.authority for p in posts)
    desk = any(b.facilitation_desk for b in bodies)
    own = frozenset(b.pk for b in bodies if not b.facilitation_desk)
    supervised = frozenset()
    if own:
        supervised = frozenset(
            Authority.objects.filter(supervising_office_id__in=own).exclude(pk__in=own).values_list("pk", flat=True)
        )
    viewer = Viewer(
        authenticated=True,
        username=user.get_username(),
        firm_roles=dict(memberships),
        firm_id=memberships[0][0] if memberships else None,
        regulator=is_regulator(user),
        authority_ids=own,
        supervised_ids=supervised,
        desk=desk,
        authorities=bodies,
    )
    user._khanij_clearance_viewer = viewer
    return viewer


def visible_filter(viewer: Viewer, prefix: str = "") -> Q | None:
    """The cases `viewer` may see, as a filter (None: every case; an empty filter: none). `prefix` reaches the case
    through a relation (`"case__"` from a stage)."""
    if viewer.sees_all:
        return None
    condition = Q(**{f"{prefix}pk__in": []})
    if viewer.firm_roles:
        condition |= Q(**{f"{prefix}licence__holder_id__in": sorted(viewer.firm_roles)})
    bodies = viewer.authority_ids | viewer.supervised_ids
    if bodies:
        condition |= Q(**{f"{prefix}authority_id__in": sorted(bodies)})
    return condition


def visible_cases(viewer: Viewer, queryset: QuerySet[Case] | None = None) -> QuerySet[Case]:
    queryset = Case.objects.all() if queryset is None else queryset
    if not viewer.authenticated:
        return queryset.none()
    condition = visible_filter(viewer)
    return queryset if condition is None else queryset.filter(condition)


@dataclass(frozen=True)
class Access:
    """One case as one viewer may see it: `full` (the case's own people), or only its public record."""

    case: Case
    viewer: Viewer
    actor: perm.Actor
    facts: perm.CaseFacts
    full: bool

    @property
    def applicant_acts(self) -> bool:
        return self.case.is_open and perm.may_act_as_applicant(self.actor)

    @property
    def authority_acts(self) -> bool:
        return self.case.is_open and perm.may_act_as_authority(self.actor, self.facts)

    @property
    def records_on_behalf(self) -> bool:
        return perm.may_record_on_behalf(self.actor, self.facts)

    @property
    def role(self) -> str:
        """The viewer's part in this case, for a person."""
        a = self.actor
        if perm.may_act_as_authority(a, self.facts):
            return "officer"
        if a.holder_role is not None:
            return "applicant" if perm.may_act_as_applicant(a) else "applicant (viewer)"
        if a.regulator:
            return "regulator"
        if a.desk:
            return "facilitation desk"
        if self.full:
            return "supervising office"
        return "public"


def case_access(*, user, case_id, queryset: QuerySet[Case] | None = None) -> Access:
    """The case `case_id` with what `user` may see and do on it. NotFound when there is no such case; anybody may
    read its public record, so no PermissionDenied here: the page or API decides what a `full=False` access gets."""
    queryset = Case.objects.select_related("licence", "licence__holder", "authority") if queryset is None else queryset
    try:
        case = queryset.get(pk=case_id)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"There is no clearance case {case_id}.") from None
    viewer = viewer_of(user)
    actor = viewer.actor(case)
    facts = case_facts(case)
    return Access(case=case, viewer=viewer, actor=actor, facts=facts, full=perm.may_see(actor, facts))
