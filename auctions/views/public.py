"""Public pages of tranches and auctions: anyone may read them, no account needed (RULES.md section 6).

Thin: each page renders what auctions.selectors.public decides is public at the moment of the request,
the same dictionaries the public API serializes.
"""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from auctions.api.public import AuctionFilter, replay_path
from auctions.selectors.public import (
    public_auction,
    public_auction_get,
    public_calendar,
    public_results,
    public_tranche,
    public_tranche_get,
    public_tranches_by_date,
)
from blocks.constants import INDIAN_STATES
from blocks.models import Mineral
from core.errors import NotFound

PAGE_SIZE = 50


def _not_found(request, exc: NotFound):
    return render(request, "auctions/public/not_found.html", {"message": exc.message}, status=404)


def tranche_list(request):
    now = timezone.now()
    page = Paginator(public_tranches_by_date(), PAGE_SIZE).get_page(request.GET.get("page"))
    tranches = [public_tranche(t, now=now) for t in page.object_list]
    context = {"page": page, "tranches": tranches, "api_url": reverse("public_auctions_api:tranche-list")}
    return render(request, "auctions/public/tranche_list.html", context)


def tranche_detail(request, pk):
    try:
        tranche = public_tranche_get(tranche_id=pk)
    except NotFound as exc:
        return _not_found(request, exc)
    context = {
        "tranche": public_tranche(tranche),
        "api_url": reverse("public_auctions_api:tranche-detail", args=[pk]),
    }
    return render(request, "auctions/public/tranche_detail.html", context)


def auction_detail(request, pk):
    now = timezone.now()
    try:
        auction = public_auction_get(auction_id=pk, now=now)
    except NotFound as exc:
        return _not_found(request, exc)
    data = public_auction(auction, now=now)
    context = {
        "a": data,
        "now": now,
        "api_url": reverse("public_auctions_api:auction-detail", args=[pk]),
        "ledger_url": reverse("public-ledger-stream", kwargs={"stream": data["ledger_stream"]}),
        "replay_url": replay_path(pk),
    }
    return render(request, "auctions/public/auction_detail.html", context)


def calendar(request):
    now = timezone.now()
    return render(request, "auctions/public/calendar.html", {"events": public_calendar(now=now), "now": now})


RESULT_FILTERS = ("mineral", "state")


def results(request):
    """The results, filtered as /api/v1/public/results.csv is (the same FilterSet), with that CSV and the tranches'
    OCDS packages to download."""
    now = timezone.now()
    filterset = AuctionFilter(request.GET, queryset=public_results(now=now))
    errors = {} if filterset.is_valid() else {name: list(m) for name, m in filterset.errors.items()}
    auctions = filterset.qs if not errors else public_results(now=now).none()
    page = Paginator(auctions, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [public_auction(a, now=now) for a in page.object_list]
    filters = request.GET.copy()
    filters.pop("page", None)
    query = f"?{filters.urlencode()}" if filters else ""
    tranches = {}
    for row in rows:
        tranches.setdefault(row["tranche"]["id"], row["tranche"]["name"])
    context = {
        "page": page,
        "results": rows,
        "errors": errors,
        "selected": {name: request.GET.getlist(name) for name in RESULT_FILTERS},
        "minerals": Mineral.objects.filter(blocks__auctions__isnull=False)
        .distinct()
        .order_by("name")
        .only("slug", "name"),
        "states": INDIAN_STATES,
        "query": query,
        "filtered": bool(query),
        "csv_url": reverse("public_auctions_api:result-csv") + query,
        "tranches": sorted(tranches.items(), key=lambda item: item[1]),
        "api_url": reverse("public_auctions_api:auction-list"),
    }
    return render(request, "auctions/public/results.html", context, status=400 if errors else 200)
