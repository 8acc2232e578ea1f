from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from oversight.context import acting_as

from ...models import PublicReport
from ...services import report_generate


class Command(BaseCommand):
    help = (
        "Generate a public report of a period that has ended and save it as a draft, for a publication "
        "officer to write the narrative, approve and publish. Each run makes a new draft."
    )

    def add_arguments(self, parser):
        parser.add_argument("--kind", choices=PublicReport.Kind.values, required=True)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--quarter", type=int, choices=[1, 2, 3, 4], default=None)
        parser.add_argument("--language", default=None, help="Language of the PDF (default: LANGUAGE_CODE).")

    def handle(self, *args, kind: str, year: int, quarter: int | None, language: str | None, **options):
        if kind == PublicReport.Kind.QUARTERLY and quarter is None:
            raise CommandError("A quarterly report needs --quarter (1 to 4).")
        if kind == PublicReport.Kind.ANNUAL and quarter is not None:
            raise CommandError("An annual report covers the whole year: leave out --quarter.")
        try:
            with acting_as(None):
                report = report_generate(kind=kind, year=year, quarter=quarter, language=language)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            f"Draft {report.slug} (#{report.pk}, {report.language}) generated: {report.pages} page(s), "
            f"{report.size} bytes, SHA-256 {report.sha256}."
        )
