"""Public pages (included in public_portal.urls, so their names are public_portal:...): published
dispositions, open data downloads and the data dictionary, and the API."""

from django.urls import include, path, re_path

from . import dispositions, opendata

urlpatterns = [
    path("decisions/", dispositions.disposition_list, name="disposition_list"),
    # The search (search.public_urls, named as a URLconf string) before the pages it would be read as.
    path("decisions/search/", include("search.public_urls")),
    path("decisions/<str:public_id>/", dispositions.disposition_detail, name="disposition_detail"),
    path("data/", opendata.open_data, name="open_data"),
    path("data/dictionary/", opendata.data_dictionary, name="data_dictionary"),
    # Only these two datasets: the dashboard's tables are downloaded from /data/tables/<key>.<format>.
    re_path(
        r"^data/(?P<dataset>cases|allegations)\.(?P<format>csv|json)$",
        opendata.download,
        name="open_data_download",
    ),
    path("api/", include("public_portal.transparency.api.urls")),
]
