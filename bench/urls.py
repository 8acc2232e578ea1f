"""The site's URLs plus the floors (bench only; never mounted by the product)."""

from django.urls import path

from oversight import urls as site

from . import floors

urlpatterns = [
    *site.urlpatterns,
    path("bench/floor/list/<str:key>/", floors.list_floor, name="bench_floor_list"),
    path("bench/floor/rows/<str:key>/", floors.rows_floor, name="bench_floor_rows"),
    path("bench/floor/case/<str:key>/", floors.case_floor, name="bench_floor_case"),
    path("bench/floor/file/", floors.intake_floor, name="bench_floor_intake"),
]

handler400 = site.handler400
handler403 = site.handler403
handler404 = site.handler404
handler500 = site.handler500
