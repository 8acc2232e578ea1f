from django.urls import path

from . import views

app_name = "measures"

urlpatterns = [
    path("", views.measures_page, name="page"),
    path("<slug:table>.csv", views.measures_export, name="export"),
]
