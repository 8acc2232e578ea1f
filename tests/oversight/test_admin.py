import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import (
    AgencyFactory,
    AllegationFactory,
    AttachmentFactory,
    DistrictFactory,
    OfficerFactory,
    PartyFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def one_of_everything(complaint):
    AllegationFactory(subject_officer=complaint.subject_officers.get())
    PartyFactory(complaint=complaint, role="witness")
    AttachmentFactory(complaint=complaint)
    DistrictFactory(agency=AgencyFactory())
    OfficerFactory()
    return complaint


@pytest.mark.parametrize("persona", ["supervisor", "sysadmin"])
def test_every_admin_page_a_role_may_open_renders(
    request, client, persona, one_of_everything, django_assert_max_num_queries
):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    opened = 0
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        changelist = client.get(reverse("admin:{}_{}_changelist".format(*info)))
        assert changelist.status_code in (200, 403), (info, changelist.status_code)
        if changelist.status_code != 200:
            continue
        opened += 1
        obj = model_admin.get_queryset(changelist.wsgi_request).first()
        if obj is not None:
            for name in ("change", "history"):
                page = client.get(reverse(f"admin:{info[0]}_{info[1]}_{name}", args=[obj.pk]))
                assert page.status_code in (200, 403), (info, name, page.status_code)
    assert opened >= 5


def test_the_audit_log_is_read_only_even_for_superusers(admin_client):
    from oversight import audit
    from oversight.models import AuditEvent

    event = audit.record("roles.setup")
    assert admin_client.get(reverse("admin:oversight_auditevent_add")).status_code == 403
    assert (
        admin_client.post(reverse("admin:oversight_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    page = admin_client.get(reverse("admin:oversight_auditevent_changelist") + "?action=roles.setup")
    assert "Roles set up" in page.content.decode()


def test_officer_changelist_query_count_does_not_grow_with_rows(admin_client, django_assert_max_num_queries):
    OfficerFactory.create_batch(40)
    with django_assert_max_num_queries(12):
        assert admin_client.get(reverse("admin:oversight_officer_changelist")).status_code == 200
