from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import TimeStampedModel, history


class Demographic:
    """Choice sets shared by officers and parties; every one allows "prefer not to say"."""

    class Race(models.TextChoices):
        AMERICAN_INDIAN = "american_indian", _("American Indian or Alaska Native")
        ASIAN = "asian", _("Asian")
        BLACK = "black", _("Black or African American")
        HISPANIC = "hispanic", _("Hispanic or Latino")
        MIDDLE_EASTERN = "middle_eastern", _("Middle Eastern or North African")
        PACIFIC_ISLANDER = "pacific_islander", _("Native Hawaiian or Pacific Islander")
        WHITE = "white", _("White")
        MULTIRACIAL = "multiracial", _("Two or more races")
        OTHER = "other", _("Another race or ethnicity")
        UNKNOWN = "unknown", _("Unknown")
        PREFER_NOT = "prefer_not", _("Prefer not to say")

    class Gender(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        NONBINARY = "nonbinary", _("Non-binary")
        OTHER = "other", _("Another gender")
        UNKNOWN = "unknown", _("Unknown")
        PREFER_NOT = "prefer_not", _("Prefer not to say")

    class AgeRange(models.TextChoices):
        UNDER_18 = "under_18", _("Under 18")
        AGE_18_24 = "18_24", _("18 to 24")
        AGE_25_34 = "25_34", _("25 to 34")
        AGE_35_44 = "35_44", _("35 to 44")
        AGE_45_54 = "45_54", _("45 to 54")
        AGE_55_64 = "55_64", _("55 to 64")
        AGE_65_PLUS = "65_plus", _("65 or older")
        PREFER_NOT = "prefer_not", _("Prefer not to say")


class Agency(TimeStampedModel):
    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=32, unique=True)
    jurisdiction = models.CharField(_("jurisdiction"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = history()

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class District(TimeStampedModel):
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="districts")
    code = models.CharField(_("code"), max_length=16)
    name = models.CharField(_("name"), max_length=120)
    history = history()

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["agency__name", "code"]
        constraints = [models.UniqueConstraint(fields=["agency", "code"], name="district_unique_code")]

    def __str__(self) -> str:
        return self.name


class Officer(TimeStampedModel):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SEPARATED = "separated", _("Separated")

    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="officers")
    badge_number = models.CharField(_("badge number"), max_length=32)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    rank = models.CharField(_("rank"), max_length=64, blank=True)
    unit = models.CharField(_("unit"), max_length=120, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    race_ethnicity = models.CharField(
        _("race or ethnicity"),
        max_length=32,
        choices=Demographic.Race.choices,
        default=Demographic.Race.UNKNOWN,
    )
    gender = models.CharField(
        _("gender"),
        max_length=16,
        choices=Demographic.Gender.choices,
        default=Demographic.Gender.UNKNOWN,
    )
    hire_date = models.DateField(_("hire date"), null=True, blank=True)
    history = history()

    class Meta:
        verbose_name = _("officer")
        verbose_name_plural = _("officers")
        ordering = ["last_name", "first_name"]
        constraints = [models.UniqueConstraint(fields=["agency", "badge_number"], name="officer_unique_badge")]
        indexes = [models.Index(fields=["last_name", "first_name"], name="officer_name_idx")]

    def __str__(self) -> str:
        return f"{self.rank} {self.first_name} {self.last_name} (#{self.badge_number})".strip()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"
