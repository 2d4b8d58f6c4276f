"""The public portal: server-rendered pages that anyone can read, no account needed (RULES.md section 6)."""

from decimal import Decimal

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse

from blocks import selectors
from blocks.constants import INDIAN_STATES, AuctionAuthority, ExplorationStage, LeaseKind
from blocks.models import Block, Mineral
from core.errors import ApplicationError, NotFound

PAGE_SIZE = 50
FILTER_PARAMS = ("mineral", "state", "stage", "status", "authority", "lease_kind", "el_eligible", "search", "ordering")


def home(request):
    return render(request, "blocks/home.html", {"figures": selectors.portal_figures()})


def block_list(request):
    errors = {}
    try:
        blocks = selectors.block_list(filters=request.GET)
    except ApplicationError as exc:
        errors, blocks = exc.fields, Block.objects.none()
    page = Paginator(blocks, PAGE_SIZE).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    filters.pop("page", None)
    selected = {name: request.GET.getlist(name) for name in FILTER_PARAMS}
    context = {
        "page": page,
        "blocks": page.object_list,
        "errors": errors,
        "filtered": any(selected[name] for name in FILTER_PARAMS if name != "ordering"),
        "selected": selected,
        "search": request.GET.get("search", ""),
        "minerals": Mineral.objects.order_by("name").only("slug", "name"),
        "states": INDIAN_STATES,
        "stages": ExplorationStage.choices,
        "statuses": Block.Status.choices,
        "authorities": AuctionAuthority.choices,
        "lease_kinds": [(LeaseKind.ML, LeaseKind.ML.label), (LeaseKind.CL, LeaseKind.CL.label)],
        "csv_url": reverse("public_api:block-csv") + (f"?{filters.urlencode()}" if filters else ""),
        "api_url": reverse("public_api:block-list") + (f"?{filters.urlencode()}" if filters else ""),
    }
    return render(request, "blocks/block_list.html", context, status=400 if errors else 200)


def block_detail(request, code):
    try:
        block = selectors.block_detail(code=code)
    except NotFound:
        context = {"code": code, "suggestions": selectors.block_code_suggestions(code=code)}
        return render(request, "blocks/block_not_found.html", context, status=404)
    land = [
        ("Forest land", block.forest_land_ha),
        ("Government land", block.government_land_ha),
        ("Other land", block.other_land_ha),
    ]
    context = {
        "blk": block,
        "minerals": list(block.minerals.all()),
        "resources": list(block.resources.all()),
        "routing": selectors.block_routing_explanation(block),
        "neighbours": selectors.block_neighbours(block=block),
        "land": land,
        "land_total": sum((ha for _label, ha in land), Decimal("0")),
        "api_url": reverse("public_api:block-detail", kwargs={"code": block.code}),
    }
    return render(request, "blocks/block_detail.html", context)
