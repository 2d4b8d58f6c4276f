"""core/sql.py: instances built from raw SQL rows hold exactly what the ORM would have read (same types, same
values: datetimes, decimals, booleans, JSON, foreign keys), whatever order the fields are named in; the fields
not selected are deferred and load on access."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from auctions.models import Auction
from blocks.models import Block
from core.models import ApiToken
from core.sql import ModelRow, ModelWrite, quote
from tests.factories import UserFactory
from tests.factories.auction_flow import notified_auction

pytestmark = pytest.mark.django_db

User = get_user_model()

PARAMS = {"rounds": [1, 2.5, "three"], "nested": {"ok": True, "nothing": None}, "text": "ā ñ ✓"}


def select(row: ModelRow, pk):
    """The row's columns of one record, read with a raw cursor, as a hot path would."""
    meta = row.model._meta
    sql = f"SELECT {', '.join(row.columns('x'))} FROM {quote(meta.db_table)} x WHERE x.{quote(meta.pk.column)} = %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        return cursor.fetchone()


def assert_same(built, orm, attnames):
    for attname in attnames:
        mine, theirs = getattr(built, attname), getattr(orm, attname)
        assert type(mine) is type(theirs), (attname, mine, theirs)
        assert mine == theirs, (attname, mine, theirs)
        assert repr(mine) == repr(theirs), (attname, mine, theirs)  # Decimal('12.50') is not Decimal('12.5')


@pytest.fixture
def auction(regulator):
    auction = notified_auction(regulator).get()
    Auction.objects.filter(pk=auction.pk).update(
        params=PARAMS,
        bids_closed_at=datetime(2027, 2, 3, 4, 5, 6, 789012, tzinfo=UTC),
        best_offer=Decimal("12.50"),
        reserve_price_pct=Decimal("10.05"),
        bid_security=Decimal("12345678.90"),
        floor_price=None,
        annulment_reason="a reason read on access",
    )
    return Auction.objects.get(pk=auction.pk)


@pytest.fixture
def user():
    user = UserFactory(username="dana", first_name="Dāna", is_active=False, is_staff=True)
    User.objects.filter(pk=user.pk).update(date_joined=datetime(2026, 5, 6, 7, 8, 9, 123456, tzinfo=UTC))
    return User.objects.get(pk=user.pk)


def test_every_auction_field_reads_as_the_orm_reads_it(auction):
    row = ModelRow(Auction, [f.name for f in Auction._meta.concrete_fields])
    built = row.build(select(row, auction.pk))

    orm = Auction.objects.get(pk=auction.pk)
    assert_same(built, orm, [f.attname for f in Auction._meta.concrete_fields])
    assert built.params == PARAMS and isinstance(built.params["nested"]["ok"], bool)
    assert built.bids_closed_at == datetime(2027, 2, 3, 4, 5, 6, 789012, tzinfo=UTC)
    assert built.best_offer == Decimal("12.50") and str(built.best_offer) == "12.50"
    assert built.floor_price is None and built.closes_at is None
    assert built.get_deferred_fields() == set()


def test_user_booleans_and_datetimes_read_as_the_orm_reads_them(user):
    row = ModelRow(User, [f.name for f in User._meta.concrete_fields])
    built = row.build(select(row, user.pk))

    assert_same(built, User.objects.get(pk=user.pk), [f.attname for f in User._meta.concrete_fields])
    assert built.is_active is False and built.is_staff is True and built.is_superuser is False
    assert built.date_joined == datetime(2026, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
    assert built.last_login is None
    assert built.check_password("correct-horse-battery")


def test_token_reads_as_the_orm_reads_it(user):
    token, _ = ApiToken.objects.create(user=user, name="robot")
    names = ["digest", "token_key", "user", "created", "expiry", "name", "last_used"]
    row = ModelRow(ApiToken, names)
    built = row.build(select(row, token.pk))

    assert_same(built, ApiToken.objects.get(pk=token.pk), ["id", "digest", "token_key", "user_id", "created", "expiry"])
    assert built.user_id == user.pk and built.name == "robot" and built.last_used is None


def test_an_instance_built_from_a_row_is_a_saved_instance_of_its_database(auction):
    row = ModelRow(Auction, ["id", "status", "annulment_reason"])
    built = row.build(select(row, auction.pk))

    assert built._state.adding is False and built._state.db == connection.alias
    built.annulment_reason = "changed"
    built.save(update_fields=["annulment_reason"])  # an UPDATE of that row, not an INSERT of a new one
    assert Auction.objects.get(pk=auction.pk).annulment_reason == "changed"
    assert Auction.objects.count() == 1


def test_names_out_of_model_order_build_the_same_instance(auction):
    names = ["params", "best_offer", "status", "block", "bids_closed_at", "reserve_price_pct", "id"]
    in_model_order = [f.name for f in Auction._meta.concrete_fields if f.name in names]
    assert names != in_model_order

    row = ModelRow(Auction, names)
    assert row.columns("a") == ModelRow(Auction, in_model_order).columns("a")
    assert len(row) == len(names)
    built = row.build(select(row, auction.pk))

    attnames = ["params", "best_offer", "status", "block_id", "bids_closed_at", "reserve_price_pct", "id"]
    assert_same(built, Auction.objects.get(pk=auction.pk), attnames)


def test_columns_name_the_alias_and_the_database_columns():
    row = ModelRow(Auction, ["best_offer", "block", "id"])
    assert row.columns("a") == [f"a.{quote('id')}", f"a.{quote('block_id')}", f"a.{quote('best_offer')}"]
    assert row.attnames == ("id", "block_id", "best_offer")


def test_fields_not_selected_are_deferred_and_load_on_access(auction, django_assert_num_queries):
    row = ModelRow(Auction, ["id", "block", "best_offer"])
    built = row.build(select(row, auction.pk))

    selected = {"id", "block_id", "best_offer"}
    everything = {f.attname for f in Auction._meta.concrete_fields}
    assert built.get_deferred_fields() == everything - selected

    with django_assert_num_queries(0):
        assert built.best_offer == Decimal("12.50")
    with django_assert_num_queries(1):
        assert built.annulment_reason == "a reason read on access"
    with django_assert_num_queries(1):
        assert built.params == PARAMS
    assert built.get_deferred_fields() == everything - selected - {"annulment_reason", "params"}


def test_a_foreign_key_named_by_its_field_sets_its_id(auction, user):
    row = ModelRow(Auction, ["id", "block"])
    assert row.attnames == ("id", "block_id")
    built = row.build(select(row, auction.pk))
    assert built.block_id == auction.block_id and type(built.block_id) is int
    assert built.block == Block.objects.get(code="CG-LI-01")  # loads the related block

    token, _ = ApiToken.objects.create(user=user, name="robot")
    token_row = ModelRow(ApiToken, ["digest", "user"])
    assert token_row.attnames == ("user_id", "id", "digest")  # the model's order: knox's fields, then ours
    built_token = token_row.build(select(token_row, token.pk))
    assert built_token.user_id == user.pk
    assert built_token.user.username == "dana"


def test_the_primary_key_is_read_even_when_not_named(auction):
    row = ModelRow(Auction, ["status"])
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(row.columns('a'))} FROM {quote(Auction._meta.db_table)} a WHERE a.id = %s",
            [auction.pk],
        )
        built = row.build(cursor.fetchone())
    assert built.pk == auction.pk and built.status == auction.status


# --- ModelWrite: writes written once ---------------------------------------------------------------------------


def test_a_row_inserted_once_written_reads_back_as_the_orm_would_have_written_it():
    from ledger.models import Entry

    values = {"stream": "test:1", "at": "2026-12-01T00:00:00.000001+00:00", "kind": "offer", "payload": PARAMS}
    orm = Entry.objects.create(**values, seq=1, prev_hash="0" * 64, hash="a" * 64)
    write = ModelWrite(Entry, ["stream", "seq", "at", "kind", "payload", "prev_hash", "hash"])
    written = write.insert(Entry(**values, seq=2, prev_hash="a" * 64, hash="b" * 64))
    pk = written.pk
    assert type(pk) is int and pk != orm.pk
    assert not written._state.adding  # saved, as Model.save() leaves it
    mine, theirs = Entry.objects.get(pk=pk), Entry.objects.get(pk=orm.pk)
    assert_same(mine, theirs, ["stream", "at", "kind", "payload"])
    assert (mine.seq, mine.prev_hash, mine.hash) == (2, "a" * 64, "b" * 64)


def test_a_row_updated_once_written_holds_what_a_queryset_update_would_have_set(regulator):
    mine, theirs = notified_auction(regulator, codes=("CG-LI-01", "CG-LI-02")).order_by("pk")
    closes_at = datetime(2027, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    write = ModelWrite(Auction, ["best_offer", "best_participation", "offer_count", "closes_at"])
    assert write.update(mine.pk, Decimal("12.50"), None, 7, closes_at) == 1
    assert write.update(theirs.pk + 1000, Decimal("1.00"), None, 1, closes_at) == 0  # no such row: nothing
    Auction.objects.filter(pk=theirs.pk).update(
        best_offer=Decimal("12.50"), best_participation=None, offer_count=7, closes_at=closes_at
    )
    mine, theirs = Auction.objects.get(pk=mine.pk), Auction.objects.get(pk=theirs.pk)
    assert_same(mine, theirs, ["best_offer", "best_participation_id", "offer_count", "closes_at"])
    assert mine.params == theirs.params and mine.status == theirs.status  # the fields not named are left alone
