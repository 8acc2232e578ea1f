"""Staff pages of publication (namespace publication)."""

app_name = "publication"

urlpatterns: list = []
