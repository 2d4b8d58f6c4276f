"""The e-auction room's pages: the live room (bidders), the monitor (regulators) and its polled state."""

from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET

from auctions.room import state as room
from auctions.wording import words
from core.errors import ApplicationError, NotFound, PermissionDenied


@require_GET
def room_page(request, auction_id):
    try:
        auction = room.room_auction(auction_id)
        state = room.room_state(auction, request.user)
    except room.SignInRequired:
        return redirect_to_login(request.get_full_path())
    except (NotFound, PermissionDenied) as exc:
        return render(
            request,
            "auctions/room/unavailable.html",
            {
                "message": exc.message,
                "heading": "No e-auction room here yet" if exc.status_code == 404 else "The room is not open to you",
            },
            status=exc.status_code,
        )
    context = {
        "state": state,
        "words": words(auction.direction),  # "highest" or "lowest", and so on (auctions/wording.py)
        # For the page as first drawn (and without JavaScript): the times as datetimes, shown in IST.
        "starts_at": auction.starts_at,
        "closes_at": auction.closes_at,
        "history": [{**row, "placed": parse_datetime(row["placed_at"])} for row in state["history"]],
        "state_url": reverse("room:state", args=[auction.pk]),
        "events_url": reverse("api-auction-room-events", args=[auction.pk]),
        "offer_url": reverse("api-auction-offers", args=[auction.pk]),
    }
    return render(request, "auctions/room/room.html", context)


@require_GET
def room_state(request, auction_id):
    """The state the room's script polls twice a second: JSON, with an ETag so that an unchanged room costs a
    304 and one query."""
    try:
        state, etag = room.room_poll(auction_id, request.user, if_none_match=request.headers.get("If-None-Match", ""))
    except ApplicationError as exc:
        body = {"error": {"code": exc.code, "message": exc.message, "fields": exc.fields}}
        return JsonResponse(body, status=exc.status_code)
    response = HttpResponse(status=304) if state is None else JsonResponse(state)
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response
