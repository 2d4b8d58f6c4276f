from django.urls import path

from auctions.api import room

urlpatterns = [
    path("auctions/<int:auction_id>/room", room.RoomStateApi.as_view(), name="api-auction-room"),
    path("auctions/<int:auction_id>/room/events", room.RoomEventsApi.as_view(), name="api-auction-room-events"),
    path("auctions/<int:auction_id>/offers", room.OfferCreateApi.as_view(), name="api-auction-offers"),
]
