"""Staff pages of the public reports (namespace public_reports)."""

app_name = "public_reports"

urlpatterns: list = []
