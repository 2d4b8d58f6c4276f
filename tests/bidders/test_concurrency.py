"""Concurrent writers on PostgreSQL: the firm row lock keeps the rules that span rows."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from bidders import services
from bidders.models import BeneficialOwner, Membership
from core.errors import ApplicationError
from tests.factories import FirmFactory, MembershipFactory, UserFactory


def run_together(*calls):
    """Run the calls in threads started at the same moment; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except ApplicationError as error:
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_owners_declared_at_once_never_exceed_100_percent(postgres):
    firm = FirmFactory()
    admin = MembershipFactory(firm=firm, user=UserFactory(username="admin")).user
    results = run_together(
        lambda: services.beneficial_owner_add(
            actor=admin, firm=firm, name="Asha", pan="ABCPA1111K", share="60", publication_consent=True
        ),
        lambda: services.beneficial_owner_add(
            actor=admin, firm=firm, name="Ravi", pan="ABCPR2222K", share="60", publication_consent=True
        ),
    )
    assert sorted(type(r).__name__ for r in results) == ["ApplicationError", "BeneficialOwner"]
    assert BeneficialOwner.objects.get().share == Decimal("60.00")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_admins_removing_each_other_at_once_leave_one_admin(postgres):
    firm = FirmFactory()
    a = MembershipFactory(firm=firm, user=UserFactory(username="a"), role=Membership.Role.ADMIN)
    b = MembershipFactory(firm=firm, user=UserFactory(username="b"), role=Membership.Role.ADMIN)
    run_together(
        lambda: services.member_remove(actor=a.user, membership=b),
        lambda: services.member_remove(actor=b.user, membership=a),
    )
    assert Membership.objects.filter(firm=firm, role=Membership.Role.ADMIN).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_issues_of_a_token_under_one_name_at_once_leave_one_token_that_works(postgres):
    from django.test import RequestFactory
    from rest_framework.test import APIClient

    from core.models import ApiToken

    UserFactory(username="alice")

    def issue():
        request = RequestFactory().post("/api/v1/auth/token")
        return services.auth_token_issue(
            username="alice", password="correct-horse-battery", name="bidding-robot", request=request
        )

    results = run_together(issue, issue)

    assert sorted(r.replaced for r in results) == [False, True]  # one after the other, the second replacing
    stored = ApiToken.objects.get()
    working = [r for r in results if r.record.pk == stored.pk]
    assert len(working) == 1
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {working[0].token}")
    assert client.get("/api/v1/auth/tokens").status_code == 200
