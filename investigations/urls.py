from django.urls import include, path

from .views import case, deadlines, evidence, findings, interviews, subpoenas

app_name = "cases"

urlpatterns = [
    path("", case.dashboard, name="dashboard"),
    path("<str:tracking_number>/", case.overview, name="overview"),
    path("<str:tracking_number>/move/", case.move, name="move"),
    path("<str:tracking_number>/accept/", case.accept, name="accept"),
    path("<str:tracking_number>/refer/", case.refer, name="refer"),
    path("<str:tracking_number>/close/", case.close, name="close"),
    path("<str:tracking_number>/duplicate/", case.duplicate, name="duplicate"),
    path("<str:tracking_number>/assign/", case.assign, name="assign"),
    path("<str:tracking_number>/unassign/<int:assignment_id>/", case.unassign, name="unassign"),
    path("<str:tracking_number>/notes/", case.notes, name="notes"),
    path("<str:tracking_number>/timeline/", case.timeline, name="timeline"),
    path("<str:tracking_number>/history/", case.history, name="history"),
    path("<str:tracking_number>/allegations/", case.allegations, name="allegations"),
    path("<str:tracking_number>/evidence/", include(evidence.urlpatterns)),
    path("<str:tracking_number>/interviews/", include(interviews.urlpatterns)),
    path("<str:tracking_number>/subpoenas/", include(subpoenas.urlpatterns)),
    path("<str:tracking_number>/findings/", include(findings.urlpatterns)),
    path("<str:tracking_number>/deadline/", include(deadlines.urlpatterns)),
]
