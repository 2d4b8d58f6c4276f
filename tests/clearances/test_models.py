"""What the database itself holds of clearance cases, whatever code writes them: one open case per licence and
kind, one standing approval per kind, status and outcome agreeing, one open stage and one open query at a time, a
decision always with reasons, a contesting decision naming the deemed one, an on-behalf record with its reference."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from authorities.models import Authority
from clearances.models import Case, Decision, Query, Stage
from tests.factories.licences import make_licence

pytestmark = pytest.mark.django_db


def case(licence, kind="mining_plan", **fields):
    values = {"authority": Authority.objects.get(code="ibm"), "template": {}, "filed_on": date(2027, 5, 1)}
    return Case.objects.create(licence=licence, kind=kind, **{**values, **fields})


def refused(write):
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


def test_one_open_case_and_one_standing_approval_per_licence_and_kind():
    licence = make_licence(status="loi_issued")
    first = case(licence)
    refused(lambda: case(licence))
    case(licence, kind="environment")  # another kind is another case
    Case.objects.filter(pk=first.pk).update(status="decided", outcome="refused", decided_on=date(2027, 6, 1))
    second = case(licence)  # refused: the holder files again
    Case.objects.filter(pk=second.pk).update(status="decided", outcome="granted", decided_on=date(2027, 7, 1))
    third = case(licence)
    refused(
        lambda: Case.objects.filter(pk=third.pk).update(status="decided", outcome="deemed", decided_on=date(2027, 8, 1))
    )


def test_status_outcome_and_dates_agree():
    licence = make_licence(status="loi_issued")
    open_case = case(licence)
    refused(lambda: Case.objects.filter(pk=open_case.pk).update(outcome="granted"))
    refused(lambda: Case.objects.filter(pk=open_case.pk).update(status="decided", outcome="granted"))
    refused(
        lambda: Case.objects.filter(pk=open_case.pk).update(
            status="withdrawn", outcome="refused", decided_on=date(2027, 6, 1)
        )
    )
    refused(
        lambda: Case.objects.filter(pk=open_case.pk).update(
            status="decided", outcome="granted", decided_on=date(2027, 4, 1)
        )
    )


def test_one_open_stage_and_one_open_query_at_a_time():
    c = case(make_licence(status="loi_issued"))
    opened = {"status": "open", "started_on": date(2027, 5, 1), "clock_started_on": date(2027, 5, 1)}
    first = Stage.objects.create(case=c, position=1, code="a", name="A", owner="authority", target_days=90, **opened)
    refused(lambda: Stage.objects.create(case=c, position=2, code="b", name="B", owner="authority", **opened))
    refused(lambda: Stage.objects.create(case=c, position=1, code="c", name="C", owner="authority"))
    refused(
        lambda: Stage.objects.create(
            case=c, position=3, code="d", name="D", owner="authority", target_days=1, target_months=1
        )
    )
    refused(lambda: Stage.objects.filter(pk=first.pk).update(status="closed"))  # closed without its end
    Query.objects.create(stage=first, text="Send the lease plan.", raised_on=date(2027, 5, 10))
    refused(lambda: Query.objects.create(stage=first, text="And the map.", raised_on=date(2027, 5, 11)))
    refused(lambda: Query.objects.create(stage=first, text="", raised_on=date(2027, 5, 11)))
    q = Query.objects.get()
    refused(lambda: Query.objects.filter(pk=q.pk).update(answered_on=date(2027, 5, 9), answer="here"))
    refused(lambda: Query.objects.filter(pk=q.pk).update(answered_on=date(2027, 5, 12)))  # an answer has text


def test_a_decision_has_reasons_and_an_on_behalf_record_its_reference():
    c = case(make_licence(status="loi_issued"))
    refused(lambda: Decision.objects.create(case=c, outcome="granted", reasons="", decided_on=date(2027, 6, 1)))
    ibm = Authority.objects.get(code="ibm")
    refused(
        lambda: Decision.objects.create(
            case=c, outcome="granted", reasons="Approved.", decided_on=date(2027, 6, 1), on_behalf_of=ibm
        )
    )
    deemed = Decision.objects.create(
        case=c, outcome="deemed", reasons="Four months passed.", decided_on=date(2027, 9, 2)
    )
    refused(lambda: Decision.objects.create(case=c, outcome="refused", reasons="Late.", decided_on=date(2027, 9, 9)))
    refused(lambda: Decision.objects.create(case=c, outcome="contesting", reasons="Late.", decided_on=date(2027, 9, 9)))
    Decision.objects.create(
        case=c, outcome="contesting", reasons="Emissions.", decided_on=date(2027, 9, 9), contests=deemed
    )
