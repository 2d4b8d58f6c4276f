"""The case's status table: filed -> in progress -> decided | withdrawn, one conditional UPDATE per move, a repeated
move a no-op, a move the table does not allow refused naming what the case can do."""

from datetime import date

import pytest
from django.db import transaction

from authorities.models import Authority
from clearances import lifecycle
from clearances.models import Case
from core.errors import Conflict
from tests.factories.licences import make_licence

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(db):
    return Case.objects.create(
        licence=make_licence(status="loi_issued"),
        kind="mining_plan",
        authority=Authority.objects.get(code="ibm"),
        template={},
        filed_on=date(2027, 4, 1),
    )


@pytest.mark.parametrize(
    ("status", "to", "allowed"),
    [
        ("filed", "in_progress", True),
        ("filed", "decided", True),
        ("filed", "withdrawn", True),
        ("in_progress", "decided", True),
        ("in_progress", "withdrawn", True),
        ("in_progress", "filed", False),
        ("decided", "in_progress", False),
        ("decided", "withdrawn", False),
        ("withdrawn", "in_progress", False),
        ("decided", "decided", True),  # a repeated move is no move
    ],
)
def test_the_table(status, to, allowed):
    assert (lifecycle.move_error(status, to) is None) is allowed


def test_a_move_is_made_once_and_refusals_name_what_the_case_can_do(case):
    with transaction.atomic():
        assert lifecycle.case_move(case=case, to="in_progress") is True
        assert lifecycle.case_move(case=case, to="in_progress") is False
        lifecycle.case_move(case=case, to="decided", outcome="granted", decided_on=date(2027, 5, 1))
    case.refresh_from_db()
    assert (case.status, case.outcome) == ("decided", "granted")
    with transaction.atomic(), pytest.raises(Conflict, match="A case that is decided cannot become withdrawn"):
        lifecycle.case_move(case=case, to="withdrawn", outcome="withdrawn", decided_on=date(2027, 5, 2))
    assert lifecycle.outcome_move(case=case, to="revoked") is True
    assert lifecycle.outcome_move(case=case, to="revoked") is False
    with pytest.raises(Conflict):
        lifecycle.outcome_move(case=case, to="granted")
