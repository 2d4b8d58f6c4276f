"""Formatting for the public portal: money in Indian digit grouping, areas in ha and km², illustrative marks."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.html import format_html

from core.money import CRORE, format_inr

register = template.Library()

# A page item and the block fields (as listed in Block.illustrative_fields) whose values it shows.
ILLUSTRATIVE_SOURCES = {
    "area": {"boundary", "area", "area_hectares"},
    "boundary": {"boundary"},
    "land": {"land", "forest_land_ha", "government_land_ha", "other_land_ha"},
    "resources": {"resources"},
    "ver": {"resources", "value_of_estimated_resources"},
    "stage": {"exploration_stage"},
}


def group_indian(value, places: int = 2) -> str:
    """12345678.9 -> '1,23,45,678.90' (lakh and crore grouping)."""
    number = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    text = f"{abs(number):.{places}f}"
    whole, _, frac = text.partition(".")
    if len(whole) > 3:
        head, tail = whole[:-3], whole[-3:]
        groups = []
        while len(head) > 2:
            groups.insert(0, head[-2:])
            head = head[:-2]
        whole = ",".join(([head] if head else []) + groups + [tail])
    return f"{sign}{whole}{'.' + frac if frac else ''}"


@register.filter
def inr(value):
    """Rs 1,23,45,678.90; an em dash when there is no amount."""
    return "—" if value in (None, "") else format_inr(value)


@register.filter
def inr_crore(value):
    """An amount in crore of rupees, for headline figures: Rs 1,234.57 crore."""
    if value in (None, ""):
        return "—"
    return f"Rs {group_indian(Decimal(str(value)) / CRORE)} crore"


@register.filter
def number(value, places=2):
    return "—" if value in (None, "") else group_indian(value, int(places))


@register.filter
def hectares(value):
    """'1,234.56 ha (12.35 km²)' from an area in hectares."""
    if value in (None, ""):
        return "—"
    area = Decimal(str(value))
    return f"{group_indian(area)} ha ({group_indian(area / 100)} km²)"


@register.simple_tag
def illustrative(block, item):
    """A visible 'illustrative' mark when the value shown as `item` was filled in for the demonstration."""
    fields = set(getattr(block, "illustrative_fields", None) or [])
    if not fields & ILLUSTRATIVE_SOURCES.get(item, {item}):
        return ""
    return format_html(
        '<span class="illustrative" title="{}">illustrative</span>',
        "The published sources do not give this value; it was filled in for the demonstration.",
    )


@register.filter
def as_choices(items, attributes=""):
    """(value, text) pairs for a list's filter (templates/lists/_select_filter.html): objects by the two attributes
    named, e.g. "slug,name"; anything else (a State, a year) as its own text, with its value as text."""
    if attributes:
        value, text = attributes.split(",")
        return [(getattr(item, value), getattr(item, text)) for item in items]
    return [(str(item), item) for item in items]
