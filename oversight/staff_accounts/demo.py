"""Demo preferred languages: two demo logins read Spanish, so their emails, their board packets and
their workspace show the preference at work; everyone else keeps the default."""

from django.contrib.auth import get_user_model

from oversight.demo import DemoContext, register

from .models import StaffPreference

# (username, language). The board member is made by the board's seeder, which runs after this one:
# the preferences are written once every seeder is done.
DEMO_LANGUAGES = [("board3", "es"), ("investigator2", "es")]


@register("staff_preferences")
def seed_staff_preferences(ctx: DemoContext) -> None:
    ctx.after_load(lambda: _set_languages(ctx))


def _set_languages(ctx: DemoContext) -> None:
    wanted = dict(DEMO_LANGUAGES)
    users = get_user_model().objects.filter(username__in=wanted)
    have = set(StaffPreference.objects.filter(user__in=users).values_list("user_id", flat=True))
    new = [StaffPreference(user=user, language=wanted[user.username]) for user in users if user.pk not in have]
    StaffPreference.objects.bulk_create(new)
    ctx.count("staff preferences", len(new))
