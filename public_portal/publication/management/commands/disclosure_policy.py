from django.core.management.base import BaseCommand, CommandError

from oversight.context import acting_as

from ...models import DisclosureRule
from ...policy import PRESETS, describe, policy_name
from ...services import disclosure_rules_reset


class Command(BaseCommand):
    help = (
        "Show the disclosure policy (--show), or replace the disclosure rules with a preset: california "
        "(Penal Code 832.7(b), SB 1421 and SB 16), all_public (every officer named) or none (no rules)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--preset", choices=PRESETS, help="Replace every rule with this preset.")
        parser.add_argument("--show", action="store_true", help="Print the policy in force and its rules.")

    def handle(self, *args, preset: str | None = None, show: bool = False, **options):
        if not preset and not show:
            raise CommandError("Give --preset california|all_public|none, --show, or both.")
        if preset:
            with acting_as(None):
                count = disclosure_rules_reset(preset=preset)
            self.stdout.write(self.style.SUCCESS(f"The disclosure rules are now the {preset} preset: {count} rules."))
        if show:
            name = policy_name()
            self.stdout.write(f"PUBLICATION_DISCLOSURE_POLICY = {name!r}")
            if name != "rules":
                self.stdout.write(f"The rules below are not used: the setting says {name!r}.")
            rules = DisclosureRule.objects.select_related("category__parent").order_by(
                "category__sort_order", "disposition", "id"
            )
            lines = describe(rules)
            for line in lines:
                self.stdout.write(f"  - {line}")
            if not lines:
                self.stdout.write("  (no rules: no officer is named and no discipline is shown)")
