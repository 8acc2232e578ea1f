"""The API's addresses (included under the public portal, so the names are public_portal:api_...)."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from . import views

# Public ids and recommendation numbers are letters, digits and hyphens.
ID = r"[A-Za-z0-9-]{1,32}"

urlpatterns = [
    path("v1/dispositions/", views.DispositionList.as_view(), name="api_disposition_list"),
    re_path(
        rf"^v1/dispositions/(?P<public_id>{ID})/$", views.DispositionDetail.as_view(), name="api_disposition_detail"
    ),
    path("v1/allegations/", views.AllegationList.as_view(), name="api_allegation_list"),
    path("v1/recommendations/", views.RecommendationList.as_view(), name="api_recommendation_list"),
    re_path(
        rf"^v1/recommendations/(?P<number>{ID})/$",
        views.RecommendationDetail.as_view(),
        name="api_recommendation_detail",
    ),
    path("v1/statistics/", views.StatisticsIndex.as_view(), name="api_statistics"),
    re_path(r"^v1/statistics/(?P<key>[a-z0-9-]{1,64})/$", views.StatisticsTable.as_view(), name="api_statistics_table"),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", views.ApiDocs.as_view(), name="api_docs"),
    # Anything else under /api/ is a JSON 404 too, not the site's HTML page.
    re_path(r"^(?P<rest>[\s\S]*)$", views.not_found, name="api_not_found"),
]
