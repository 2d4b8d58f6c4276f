"""The migration of licences' deadlines into notifications' register (licences 0002), both ways: the due dates of a
licence's obligations become `licences.Deadline` rows when migrated back, and the same due dates again forward."""

from datetime import date

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from licences.models import Obligation
from licences.services import obligation_add, obligation_settle
from notifications.models import DueDate
from tests.factories.licences import make_licence

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE = [("licences", "0001_initial"), ("notifications", "0001_initial")]
FIELDS = ("subject", "key", "kind", "audience", "title", "due_on", "url", "status")


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_deadlines_go_back_and_come_forward_as_the_same_due_dates():
    el = make_licence(kind="EL", number="EL/2027/0009", status="discovery_reported")
    with transaction.atomic():
        report = obligation_add(licence=el, kind="work_report", title="Work report", due_on=date(2028, 4, 1))
        obligation_add(licence=el, kind="discovery_auction", title="Auction by the State", due_on=date(2030, 7, 10))
        met = obligation_add(licence=el, kind="relinquishment", title="Relinquish", due_on=date(2030, 4, 1))
        obligation_settle(obligation=met, status=Obligation.Status.MET, met_on=date(2030, 3, 1))
    before = sorted(DueDate.objects.values_list(*FIELDS))
    assert len(before) == 3
    latest = [key for key in MigrationExecutor(connection).loader.graph.leaf_nodes() if key[0] in ("licences",
              "notifications")]  # fmt: skip
    try:
        old = migrate(BEFORE)
        deadlines = old.get_model("licences", "Deadline").objects.order_by("kind")
        assert [(d.kind, d.owner_id, d.object_id, d.status) for d in deadlines] == [
            ("discovery_auction", el.holder_id, el.obligations.get(kind="discovery_auction").pk, "open"),
            ("relinquishment", el.holder_id, met.pk, "done"),
            ("work_report", el.holder_id, report.pk, "open"),
        ]
    finally:
        migrate(latest)
    after = sorted(DueDate.objects.values_list(*FIELDS))
    assert after == before
    discovery = DueDate.objects.get(kind="discovery_auction")
    assert discovery.subject == f"blocks.block:{el.block_id}" and discovery.next_remind_on is not None
