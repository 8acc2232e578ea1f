from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Oversight administration")
admin.site.site_title = _("Oversight administration")
admin.site.index_title = _("Users, roster, taxonomy and settings")

urlpatterns = [
    path("", include("public_portal.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("staff/", include("oversight.staff_urls")),
    path("staff/complaints/", include("complaints.urls")),
    path("staff/intake/", include("public_portal.staff_urls")),
    # Reports first: their "reports/..." pages must not be read as a publication's public id.
    path("staff/publication/reports/", include("public_portal.transparency.reports.staff_urls")),
    path("staff/publication/", include("public_portal.publication.urls")),
    # Board review first: its "board/..." pages must not be read as a tracking number.
    path("staff/cases/", include("investigations.board.urls")),
    path("staff/cases/", include("investigations.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "oversight.views.bad_request"
handler403 = "oversight.views.permission_denied"
handler404 = "oversight.views.page_not_found"
handler500 = "public_portal.views.server_error"
