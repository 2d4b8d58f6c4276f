"""An EL holder at year 3 relinquishes in real Chromium by clicking the corners of the area it keeps on the map.

The licence was granted (through the service, with the clock moved) three years and a few days before today, so
the live server, on the real clock, has the relinquishment open; the browser's clock is not moved.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from licences.models import Licence
from licences.rules import add_years
from tests.browser import log_in
from tests.factories.licence_el import corner, el_granted

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def on_screen(page, lon, lat) -> tuple[float, float]:
    """Where a longitude and latitude are on the screen, by the map's own projection (its data attributes)."""
    return tuple(
        page.evaluate(
            """([lon, lat]) => {
                const svg = document.getElementById("retained-map"), d = svg.dataset, pt = svg.createSVGPoint();
                pt.x = +d.offsetX + (lon - +d.minLon) * +d.cosLat * +d.scale;
                pt.y = +d.offsetY + (+d.maxLat - lat) * +d.scale;
                const s = pt.matrixTransform(svg.getScreenCTM());
                return [s.x, s.y];
            }""",
            [lon, lat],
        )
    )


def test_the_holder_draws_the_area_it_keeps_at_year_three_and_sees_the_new_area(page, regulator, firm_user):
    granted = add_years(timezone.localdate(), -3) - timedelta(days=5)
    licence = el_granted(regulator, firm_user, granted)
    original = licence.original_area_hectares

    log_in(page, "alice")
    page.goto(f"/licences/{licence.pk}/exploration/")
    expect(page.locator("#el-status")).to_have_text("In force")
    # Drawing replaces typing: the GeoJSON field is hidden, the drawing tools are shown.
    expect(page.locator("#id_relinquish_retained_boundary")).to_be_hidden()
    expect(page.get_by_role("button", name="Finish polygon")).to_be_visible()

    # The original boundary is a square; click the corners of a square 0.4 of its side, from 0.2 to 0.6 of it:
    # 0.4 x 0.4 = 16% of the area, under the 25% that may be kept.
    page.locator("#retained-map").scroll_into_view_if_needed()
    lon, lat, side = corner(licence)
    for fx, fy in ((0.2, 0.2), (0.6, 0.2), (0.6, 0.6), (0.2, 0.6)):
        page.mouse.click(*on_screen(page, lon + fx * side, lat + fy * side))
    expect(page.locator(".draw-status")).to_contain_text("1 polygon drawn")
    assert '"type":"Polygon"' in page.locator("#id_relinquish_retained_boundary").input_value()

    page.fill("#id_relinquish_summary", "The graphite lens lies under the eastern ridge; the rest showed nothing.")
    with page.expect_navigation():
        page.get_by_role("button", name="Relinquish the rest").click()

    licence.refresh_from_db()
    share = licence.area_hectares * 100 / original
    assert Decimal("15.8") < share < Decimal("16.2"), share  # a click is as precise as a screen pixel
    expect(page.locator(".messages")).to_contain_text("The relinquishment is accepted")
    expect(page.locator("#area-held")).to_contain_text(f"{licence.area_hectares} ha (of the original {original} ha)")
    expect(page.locator("#relinquished")).to_contain_text(f"keeps {licence.area_hectares} ha")
    assert Licence.objects.get(pk=licence.pk).original_area_hectares == original
