"""factory_boy factories for every model. Case data is fictional; names come from Faker."""

import io
from datetime import UTC, datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

from complaints import services as complaint_services
from complaints.models import Allegation, AllegationCategory, Attachment, Complaint, Party, SubjectOfficer
from oversight.models import Agency, District, Officer

# The smallest valid PNG: a 1x1 transparent pixel.
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@oversight.example")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=extracted))
        if create:
            self.save()


class AgencyFactory(DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("short_name",)

    name = factory.Sequence(lambda n: f"Police Department {n}")
    short_name = factory.Sequence(lambda n: f"PD{n}")
    jurisdiction = "City of Testville"


class DistrictFactory(DjangoModelFactory):
    class Meta:
        model = District

    agency = factory.SubFactory(AgencyFactory)
    code = factory.Sequence(lambda n: f"{n:02d}")
    name = factory.LazyAttribute(lambda d: f"District {d.code}")


class OfficerFactory(DjangoModelFactory):
    class Meta:
        model = Officer

    agency = factory.SubFactory(AgencyFactory)
    badge_number = factory.Sequence(lambda n: str(5000 + n))
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    rank = "Police Officer"
    unit = "Patrol"


class AllegationCategoryFactory(DjangoModelFactory):
    class Meta:
        model = AllegationCategory
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"test-category-{n}")
    name = factory.Sequence(lambda n: f"Test category {n}")


class ComplaintFactory(DjangoModelFactory):
    class Meta:
        model = Complaint

    tracking_number = factory.Sequence(lambda n: f"TST-2026-{n + 1:05d}")
    channel = Complaint.Channel.WEB
    received_at = factory.LazyFunction(lambda: datetime(2026, 3, 14, 15, 0, tzinfo=UTC))
    incident_date = factory.LazyFunction(lambda: datetime(2026, 3, 12).date())
    location_text = "Corner of 5th and Market"
    narrative = factory.Faker("paragraph", nb_sentences=4)
    language = "en"
    anonymity = Complaint.Anonymity.NAMED


class PartyFactory(DjangoModelFactory):
    class Meta:
        model = Party

    complaint = factory.SubFactory(ComplaintFactory)
    role = Party.Role.COMPLAINANT
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Faker("email")
    phone = "555-201-3344"


class SubjectOfficerFactory(DjangoModelFactory):
    class Meta:
        model = SubjectOfficer

    complaint = factory.SubFactory(ComplaintFactory)
    officer = factory.SubFactory(OfficerFactory)


class AllegationFactory(DjangoModelFactory):
    class Meta:
        model = Allegation

    subject_officer = factory.SubFactory(SubjectOfficerFactory)
    complaint = factory.SelfAttribute("subject_officer.complaint")
    category = factory.LazyFunction(lambda: AllegationCategory.objects.get(code="force-physical"))


class AttachmentFactory(DjangoModelFactory):
    """Goes through the service so the hash and sniffed type are the real ones."""

    class Meta:
        model = Attachment

    complaint = factory.SubFactory(ComplaintFactory)
    content = PNG_BYTES
    original_name = "photo.png"

    @classmethod
    def _create(cls, model_class, *, complaint, content, original_name, **kwargs):
        return complaint_services.attachment_add(
            complaint=complaint, stream=io.BytesIO(content), original_name=original_name
        )


# --- Publications, written as rows -------------------------------------------------------------------
# These build publication rows directly, without drafting, redaction or review: for tests of what the
# public pages, downloads and API show. Tests of the publication workflow go through its services.


class PublicationFactory(DjangoModelFactory):
    """A published version of a (fictional) case's public record, inserted directly."""

    class Meta:
        model = "publication.Publication"

    complaint = factory.SubFactory(ComplaintFactory)
    status = "published"
    incident_year = 2025
    incident_month = 11
    district = factory.SubFactory(DistrictFactory)
    received_year = 2025
    decision_date = factory.LazyFunction(lambda: datetime(2026, 2, 10).date())
    decision_year = factory.LazyAttribute(lambda p: p.decision_date.year if p.decision_date else None)
    board_decision = "adopt"
    summary = "The officer stopped the driver and searched the car without a reason."
    published_at = factory.LazyFunction(lambda: datetime(2026, 2, 20, 15, 0, tzinfo=UTC))


class PublishedAllegationFactory(DjangoModelFactory):
    """One allegation of a published record, inserted directly (the officer kept private unless the
    test names them)."""

    class Meta:
        model = "publication.PublishedAllegation"

    publication = factory.SubFactory(PublicationFactory)
    position = factory.Sequence(lambda n: n)
    category = factory.LazyFunction(lambda: AllegationCategory.objects.get(code="force-physical"))
    category_class = factory.LazyAttribute(lambda a: a.category.parent if a.category else None)
    disposition = "sustained"
    officer_label = "Officer A"
