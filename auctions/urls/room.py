from django.urls import path

from auctions.views import room as room_views

app_name = "room"

urlpatterns = [
    path("auctions/<int:auction_id>/room/", room_views.room_page, name="room"),
    path("auctions/<int:auction_id>/room/state", room_views.room_state, name="state"),
]
