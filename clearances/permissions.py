"""Who may see and do what on a clearance case, as pure functions of facts the selectors read (one place for the
services, the API and the pages).

- The applicant: the licence holder's members see its cases; its administrators and bidders act
  (`bidders.rules.may_act`: file, advance their own stages, answer queries, withdraw), never a viewer.
- An officer acts for their authority only, on its cases (one State board's officer never sees another's).
  An officer who is also a member of the licence's holder does not act on its cases.
- The supervising office's officers see the cases of the bodies they supervise (escalations reach them).
- The facilitation desk sees every case and decides none.
- A regulator sees every case and records moves on behalf of an authority that does not work its cases here.
"""

from dataclasses import dataclass

from bidders.rules import may_act


@dataclass(frozen=True)
class Actor:
    authenticated: bool = False
    regulator: bool = False
    holder_role: str | None = None  # the role in the licence's holder (admin, bidder, viewer)
    authority_ids: frozenset[int] = frozenset()  # officer of
    supervised_ids: frozenset[int] = frozenset()  # bodies supervised by those
    desk: bool = False  # an officer of the facilitation desk


@dataclass(frozen=True)
class CaseFacts:
    authority_id: int
    authority_works_here: bool


def may_see(actor: Actor, case: CaseFacts) -> bool:
    if not actor.authenticated:
        return False
    return (
        actor.regulator
        or actor.desk
        or actor.holder_role is not None
        or case.authority_id in actor.authority_ids
        or case.authority_id in actor.supervised_ids
    )


def may_act_as_applicant(actor: Actor) -> bool:
    return actor.authenticated and may_act(actor.holder_role)


def may_act_as_authority(actor: Actor, case: CaseFacts) -> bool:
    """An officer of the case's authority, not a member of the holder."""
    return actor.authenticated and case.authority_id in actor.authority_ids and actor.holder_role is None


def may_record_on_behalf(actor: Actor, case: CaseFacts) -> bool:
    """Record a move the authority made elsewhere, with its date and reference: its officer, or a regulator when the
    authority does not work its cases here."""
    return may_act_as_authority(actor, case) or (
        actor.authenticated and actor.regulator and not case.authority_works_here and actor.holder_role is None
    )


def applicant_refusal(actor: Actor) -> str:
    if not actor.authenticated:
        return "Sign in as a member of the licence holder to do this."
    if actor.holder_role is None:
        return "Only the licence holder's administrators and bidders may do this."
    return (
        f"As a {actor.holder_role} of the licence holder you may follow its cases but not act on them; ask your "
        "firm's administrator for the bidder role."
    )


def authority_refusal(actor: Actor, case: CaseFacts, authority_name: str) -> str:
    if not actor.authenticated:
        return "Sign in as an officer of the authority to do this."
    if actor.desk and case.authority_id not in actor.authority_ids:
        return "The facilitation desk follows every case but decides none; the authority's officers act on it."
    if actor.holder_role is not None:
        return "A member of the licence holder cannot act for the authority on its cases."
    if actor.regulator and case.authority_works_here:
        return (
            f"{authority_name} works its cases in Khanij: its officers act on them; a regulator records moves only "
            "for an authority that does not."
        )
    return (
        f"Only an officer of {authority_name} may do this (or a regulator, on its behalf, where it does not use "
        "Khanij)."
    )
