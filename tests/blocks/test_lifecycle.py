"""A block's status table (blocks.lifecycle): which moves are allowed, by whom, and what each writes.

A block in a live auction is held by it: no edit, no withdrawal, no second tranche. A repeated move writes
nothing; every registration, edit and move is one entry of the block's stream in the public ledger.
"""

import pytest
from django.db import transaction

from blocks import lifecycle
from blocks.models import Block
from blocks.services import block_create, block_update
from core.errors import ApplicationError, Conflict
from ledger.models import Entry
from tests.blocks.test_regulator_api import detail
from tests.factories import square_boundary

ID, N, U, A, L, X, W = "identified", "notified", "under_auction", "auctioned", "licensed", "annulled", "withdrawn"


@pytest.mark.parametrize(
    ("status", "to", "by_hand", "allowed"),
    [
        # what the auction's own steps do
        (ID, N, False, True),
        (X, N, False, True),  # annulled, offered again in a new tranche (a second attempt)
        (N, A, False, True),
        (N, X, False, True),
        (U, A, False, True),
        (A, L, False, True),
        (A, ID, False, True),  # an EL's geological report sends the block back for a lease auction
        (N, N, False, True),  # already there: nothing to do
        # what the table refuses whoever asks
        (N, W, False, False),  # withdrawn while its auction runs
        (N, ID, False, False),  # taken out of its auction to be offered again: two auctions on one block
        (A, N, False, False),  # auctioned: never offered again as it is
        (L, W, False, False),
        (W, N, False, False),  # a withdrawn block must first return to the registry
        (ID, A, False, False),
        # what a regulator may do by editing the block, and no more
        (ID, W, True, True),
        (X, W, True, True),
        (W, ID, True, True),
        (ID, ID, True, True),
        (ID, N, True, False),  # notified only by notifying a tranche
        (X, N, True, False),
        (N, W, True, False),
        (N, ID, True, False),
        (U, ID, True, False),
        (A, L, True, False),
        (L, ID, True, False),
    ],
)
def test_the_block_table(status, to, by_hand, allowed):
    assert (lifecycle.move_error(status, to, by_hand=by_hand) is None) is allowed


@pytest.mark.parametrize(
    ("status", "to", "by_hand", "words"),
    [
        (N, W, True, "its auction holds it until the auction is settled or annulled"),
        (U, ID, False, "its auction holds it"),
        (ID, N, True, "A block becomes notified through its auction, not by editing it. By hand you can: withdraw"),
        (L, W, False, "A block that is licensed cannot become withdrawn. It can: return it to the registry"),
        (W, N, False, "It can: return it to the registry (identified)"),
    ],
)
def test_a_refused_move_says_what_the_block_can_do(status, to, by_hand, words):
    assert words in lifecycle.move_error(status, to, by_hand=by_hand)


def entries(block) -> list:
    return list(Entry.objects.filter(stream=f"block:{block.pk}").order_by("seq").values_list("kind", "payload"))


def registered(code="LC-1", **values) -> Block:
    return block_create(
        actor=None,
        code=code,
        name="Lifecycle block",
        state="Odisha",
        minerals=["nickel"],
        exploration_stage="G3",
        boundary=square_boundary(84.0 + len(code) * 0.05, 20.0),
        **values,
    )


def move(block, to):
    with transaction.atomic():
        return lifecycle.block_move(block_id=block.pk, to=to, reason="test")


@pytest.mark.django_db
def test_a_move_is_made_once_and_recorded_once():
    block = registered()
    assert move(block, N) is True
    assert move(block, N) is False  # the second click changes nothing and writes nothing
    kinds = [kind for kind, _ in entries(block)]
    assert kinds == ["registered", "status"]
    assert entries(block)[1][1] == {"from": ID, "to": N, "action": "offer it in a notified tranche", "reason": "test"}


@pytest.mark.django_db
def test_a_refused_move_changes_nothing_and_writes_nothing():
    block = registered()
    move(block, N)
    with pytest.raises(Conflict, match="its auction holds it"):
        move(block, W)
    block.refresh_from_db()
    assert block.status == N
    assert [kind for kind, _ in entries(block)] == ["registered", "status"]


@pytest.mark.django_db
def test_a_block_in_a_live_auction_cannot_be_edited():
    block = registered()
    move(block, N)
    with pytest.raises(Conflict) as refused:
        block_update(actor=None, block=block, name="Renamed while bidding")
    assert refused.value.code == "block_in_auction"
    assert "LC-1 was not changed" in refused.value.message
    block.refresh_from_db()
    assert block.name == "Lifecycle block"
    assert [kind for kind, _ in entries(block)] == ["registered", "status"]


@pytest.mark.django_db
def test_a_regulator_withdraws_a_block_by_editing_it_and_the_ledger_says_what_changed():
    block = registered()
    block_update(actor=None, block=block, name="Renamed", status=W)
    block.refresh_from_db()
    assert (block.name, block.status) == ("Renamed", W)
    (_, first), (kind, edit), (move_kind, status) = entries(block)
    assert first["name"] == "Lifecycle block" and first["minerals"] == ["nickel"] and first["boundary_sha256"]
    assert kind == "edited"
    assert edit == {"code": "LC-1", "changed": {"name": {"from": "Lifecycle block", "to": "Renamed"}}}
    assert move_kind == "status" and status["to"] == W and status["from"] == ID


@pytest.mark.django_db
def test_an_edit_that_changes_nothing_writes_nothing():
    block = registered()
    block_update(actor=None, block=block, name="Lifecycle block", status=ID)
    assert [kind for kind, _ in entries(block)] == ["registered"]


@pytest.mark.django_db
def test_a_status_only_the_auction_sets_is_refused_as_a_field_error():
    block = registered()
    with pytest.raises(ApplicationError) as refused:
        block_update(actor=None, block=block, status=A)
    assert "through its auction, not by editing it" in refused.value.fields["status"][0]
    block.refresh_from_db()
    assert block.status == ID


@pytest.mark.django_db
def test_the_api_answers_409_for_a_block_held_by_its_auction(api_as, regulator):
    block = registered()
    move(block, N)
    response = api_as(regulator).patch(detail("LC-1"), {"name": "Renamed"}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "block_in_auction"
    assert Block.objects.get(pk=block.pk).name == "Lifecycle block"
