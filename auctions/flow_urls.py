app_name = "flow"

urlpatterns = []
