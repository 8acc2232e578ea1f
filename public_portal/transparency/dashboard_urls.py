"""Public pages (included in public_portal.urls, so their names are public_portal:...)."""

urlpatterns: list = []
