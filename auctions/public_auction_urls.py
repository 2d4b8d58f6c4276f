app_name = "public_auctions"

urlpatterns = []
