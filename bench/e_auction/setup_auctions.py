"""Set-up through the real services: firms with tokens, one tranche, every firm qualified in every auction, all
e-auctions live by the real clock. `bench/opening.py` uses the first steps (firms, a tranche evaluated) alone."""

from datetime import datetime, timedelta
from decimal import Decimal


def bench_firms(count: int) -> tuple:
    """A regulator and `count` firms, each with one administrator holding an API token: (regulator, users, tokens)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from bidders.models import Firm, Membership
    from bidders.roles import REGULATORS_GROUP
    from core.models import ApiToken

    User = get_user_model()
    regulator = User.objects.create_user("bench-regulator", password=None)
    regulator.groups.add(Group.objects.get_or_create(name=REGULATORS_GROUP)[0])
    users = []
    for i in range(count):
        firm = Firm.objects.create(
            legal_name=f"Bench Minerals {i:02d} Pvt Ltd",
            cin=f"U13100MH2020PTC{900000 + i:06d}",
            pan=f"AAACB{1000 + i:04d}F",
            registered_address="1 Mine Road, Mumbai 400001",
            net_worth=Decimal("25000000000"),
            net_worth_as_of=datetime(2026, 3, 31).date(),
        )
        user = User.objects.create_user(f"bench-bidder-{i:02d}", password=None, email=f"bidder{i:02d}@bench.invalid")
        Membership.objects.create(user=user, firm=firm, role=Membership.Role.ADMIN)
        users.append(user)
    # Each program's token as POST /api/v1/auth/token issues it (hashed, expiring): the check the offers pay for.
    tokens = {user.pk: ApiToken.objects.create(user=user, name="bench-bidder")[1] for user in users}
    return regulator, users, tokens


def evaluated_tranche(*, regulator, users, auctions: int, schedule: dict, name: str, first_block: int = 0,
                      params=None, out) -> list[int]:  # fmt: skip
    """A tranche of `auctions` new blocks (numbered from `first_block`, so tranches never overlap) notified at
    `schedule`, every user's firm bidding in every auction (pairs of equal offers: half as many ranks as bidders, so
    every bidder qualifies) and technically qualified; bids closed. The clock is moved for each past step. Returns
    the auctions' ids."""
    import time_machine

    from auctions import services as svc
    from auctions.models import Auction
    from blocks.services import block_create

    codes = []
    for n in range(first_block, first_block + auctions):
        code = f"BENCH-LI-{n + 1:02d}"
        lon, lat = 80 + (n % 40) * 0.1, 22 + (n // 40) * 0.1
        block_create(
            actor=None,
            code=code,
            name=f"Bench Lithium Block {n + 1}",
            state="Chhattisgarh",
            district="Korba",
            minerals=["lithium"],
            exploration_stage="G2",
            boundary={
                "type": "Polygon",
                "coordinates": [
                    [[lon, lat], [lon + 0.05, lat], [lon + 0.05, lat + 0.05], [lon, lat + 0.05], [lon, lat]]
                ],
            },
            reserve_price_pct="10.00",
            resources=[{"mineral": "lithium", "quantity_tonnes": "100000", "price_per_tonne": "20000"}],
        )
        codes.append(code)
    with time_machine.travel(schedule["document_sale_starts_at"] - timedelta(days=1), tick=False):
        tranche = svc.tranche_create(
            actor=regulator,
            name=name,
            blocks=codes,
            params=params,
            tender_fee="300000",
            net_worth_threshold="1000000000",
            **schedule,
        )
        svc.tranche_notify(actor=regulator, tranche_id=tranche.pk)
    ids = list(Auction.objects.filter(tranche=tranche).order_by("block__code").values_list("pk", flat=True))
    with time_machine.travel(schedule["document_sale_starts_at"] + timedelta(hours=1), tick=False):
        for n, auction_id in enumerate(ids, start=1):
            for i, user in enumerate(users):
                svc.participation_buy_document(actor=user, auction_id=auction_id, payment_reference=f"UTR-{i}")
                svc.participation_submit(
                    actor=user,
                    auction_id=auction_id,
                    initial_price_offer=Decimal(10 + i // 2),
                    net_worth="25000000000",
                    bid_security_reference=f"BG-{i}",
                )
            out.write(f"\r  {name}: bids submitted in {n}/{len(ids)} auctions")
            out.flush()
    out.write("\n")
    with time_machine.travel(schedule["bid_due_at"] + timedelta(seconds=1), tick=False):
        for auction_id in ids:
            svc.auction_close_bidding(auction_id=auction_id)
        for auction in Auction.objects.filter(pk__in=ids):
            for participation in auction.participations.all():
                svc.participation_evaluate(actor=regulator, participation_id=participation.pk, qualified=True)
    return ids


def setup(*, firms: int, auctions: int, close_in: timedelta, out) -> dict:
    """Firms with tokens, one tranche of `auctions` blocks, every firm qualified in every auction, all live."""
    import time_machine
    from django.utils import timezone

    from auctions import services as svc
    from auctions.models import Auction
    from core.models import ApiToken

    regulator, users, tokens = bench_firms(firms)
    real_now = timezone.now()
    base = real_now - timedelta(days=30)
    schedule = {
        "document_sale_starts_at": base + timedelta(days=1),
        "document_sale_ends_at": base + timedelta(days=5),
        "bid_due_at": base + timedelta(days=10),
        "technical_evaluation_at": base + timedelta(days=12),
        "opening_at": base + timedelta(days=14),
        "e_auction_starts_at": real_now - timedelta(minutes=1),
    }
    duration = int((close_in + timedelta(minutes=1)).total_seconds() // 60)
    ids = evaluated_tranche(regulator=regulator, users=users, auctions=auctions, schedule=schedule,
                            name="Bench tranche", params={"duration_minutes": duration}, out=out)  # fmt: skip
    with time_machine.travel(schedule["opening_at"], tick=False):
        for auction_id in ids:
            svc.auction_open(actor=regulator, auction_id=auction_id)
            svc.auction_opening_run(auction_id=auction_id)  # the worker's task, run here (bench/opening.py times it)
    opened = {a.pk: a for a in Auction.objects.filter(pk__in=ids)}
    for auction in opened.values():
        if auction.participations.filter(qualified=True).count() != firms:
            raise SystemExit(f"Set-up failed: not every firm qualified in auction {auction.pk}.")
    return {
        "auctions": ids,
        "floor": {pk: str(a.floor_price) for pk, a in opened.items()},
        "closes_at": {pk: a.closes_at.isoformat() for pk, a in opened.items()},
        "tokens": [tokens[u.pk] for u in users],
        "regulator_token": ApiToken.objects.create(user=regulator, name="bench-monitor")[1],
    }
