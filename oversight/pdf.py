"""Shared building blocks for every PDF the platform makes: receipts, board packets, annual reports.

A document is a subclass of ``Document`` that returns its story (a list of flowables); ``render()``
lays it out on the house page (letterhead on every page, "Page X of Y" in the footer) and returns
the bytes. Build text with ``para``/``paragraphs``, never with ``Paragraph`` directly on data:
reportlab reads ``<``, ``>`` and ``&`` as markup, and a resident's narrative may contain them.

The house font is Bitstream Vera, which ships with reportlab and is embedded in every PDF, so the
file looks the same everywhere and its text can be copied, searched and read aloud. It covers
Latin-1 plus the usual typographic characters (— › “ ” …); anything else is replaced by its
unaccented form or "?" rather than drawn as an empty box.
"""

import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph, Table, TableStyle

FONT = "OversightSans"
FONT_BOLD = "OversightSans-Bold"
FONT_ITALIC = "OversightSans-Italic"
FONT_BOLD_ITALIC = "OversightSans-BoldItalic"
# Hashes and codes only (hex digits and letters): a standard PDF font is enough.
FONT_MONO = "Courier"
FONT_MONO_BOLD = "Courier-Bold"

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#4a4a4a")  # still above 7:1 contrast on white
ACCENT = colors.HexColor("#1f3a5f")
RULE = colors.HexColor("#b8c2cc")
SHADE = colors.HexColor("#eef2f6")

PAGE_SIZE = LETTER
MARGIN = 0.75 * inch
LETTERHEAD_HEIGHT = 0.7 * inch
FOOTER_HEIGHT = 0.45 * inch
CONTENT_WIDTH = PAGE_SIZE[0] - 2 * MARGIN


@cache
def register_fonts() -> None:
    """Register the house font family once per process."""
    for name, file in [
        (FONT, "Vera.ttf"),
        (FONT_BOLD, "VeraBd.ttf"),
        (FONT_ITALIC, "VeraIt.ttf"),
        (FONT_BOLD_ITALIC, "VeraBI.ttf"),
    ]:
        pdfmetrics.registerFont(TTFont(name, file))
    # So that <b> and <i> inside a Paragraph pick the right face.
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD_ITALIC)


@cache
def _covered() -> frozenset[int]:
    register_fonts()
    return frozenset(pdfmetrics.getFont(FONT).face.charToGlyph)


def clean(value: Any) -> str:
    """``value`` as text the house font can draw: line breaks normalised to ``\\n``, control
    characters dropped, characters outside the font reduced to their base letter or ``?``."""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    covered = _covered()
    out = []
    for char in text:
        if char == "\n" or ord(char) in covered:
            out.append(char)
        elif char == "\t":
            out.append(" ")
        elif unicodedata.category(char)[0] == "C":
            continue
        else:
            base = "".join(c for c in unicodedata.normalize("NFKD", char) if ord(c) in covered)
            out.append(base or "?")
    return "".join(out)


def esc(value: Any) -> str:
    """``value`` cleaned and escaped for use inside Paragraph markup; line breaks kept."""
    return escape(clean(value)).replace("\n", "<br/>")


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    heading: ParagraphStyle
    subheading: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    label: ParagraphStyle
    mono: ParagraphStyle
    display: ParagraphStyle
    display_mono: ParagraphStyle
    letterhead: ParagraphStyle
    letterhead_small: ParagraphStyle
    footer: ParagraphStyle


@cache
def get_styles() -> Styles:
    """The house paragraph styles. Shared objects: copy one (``ParagraphStyle("x", parent=...)``)
    rather than changing it."""
    register_fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=14, textColor=INK, spaceAfter=6)
    small = ParagraphStyle("small", parent=body, fontSize=8.5, leading=11.5, textColor=MUTED, spaceAfter=4)
    return Styles(
        title=ParagraphStyle(
            "title", parent=body, fontName=FONT_BOLD, fontSize=20, leading=25, textColor=ACCENT, spaceAfter=10
        ),
        heading=ParagraphStyle(
            "heading",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=13,
            leading=17,
            textColor=ACCENT,
            spaceBefore=14,
            spaceAfter=6,
            keepWithNext=1,
        ),
        subheading=ParagraphStyle(
            "subheading", parent=body, fontName=FONT_BOLD, fontSize=10.5, leading=14, spaceBefore=8, keepWithNext=1
        ),
        body=body,
        small=small,
        label=ParagraphStyle("label", parent=body, fontName=FONT_BOLD, fontSize=9, leading=12, spaceAfter=0),
        mono=ParagraphStyle("mono", parent=body, fontName=FONT_MONO, fontSize=7.5, leading=10, spaceAfter=0),
        display=ParagraphStyle(
            "display", parent=body, fontName=FONT_BOLD, fontSize=22, leading=28, textColor=INK, spaceAfter=2
        ),
        display_mono=ParagraphStyle(
            "display_mono", parent=body, fontName=FONT_MONO_BOLD, fontSize=18, leading=24, spaceAfter=2
        ),
        letterhead=ParagraphStyle("letterhead", parent=body, fontName=FONT_BOLD, fontSize=13, leading=16),
        letterhead_small=ParagraphStyle("letterhead_small", parent=small, fontSize=8.5, leading=11),
        footer=ParagraphStyle("footer", parent=small, fontSize=8, leading=10),
    )


def para(value: Any, style: ParagraphStyle | None = None) -> Paragraph:
    """One paragraph of plain text (data or a translated string); markup in it is shown as text."""
    return Paragraph(esc(value), style or get_styles().body)


def paragraphs(value: Any, style: ParagraphStyle | None = None) -> list[Paragraph]:
    """Long plain text, one flowable per blank-line-separated paragraph, so it can run over pages."""
    chunks = [chunk.strip() for chunk in re.split(r"\n\s*\n", clean(value))]
    return [para(chunk, style) for chunk in chunks if chunk]


Cell = str | Flowable | Sequence[Flowable]


def _cell(value: Any, style: ParagraphStyle) -> Any:
    if isinstance(value, Flowable):
        return value
    if isinstance(value, list | tuple):
        return list(value)
    return para(value, style)


def facts_table(
    rows: Sequence[tuple[str, Cell | None]],
    *,
    key_width: float = 1.8 * inch,
    width: float = CONTENT_WIDTH,
) -> Table:
    """Label/value pairs, labels in bold on the left. Rows whose value is None are left out; a
    value may be text, a flowable or a list of flowables. Long values may split across pages."""
    styles = get_styles()
    data = [[para(key, styles.label), _cell(value, styles.body)] for key, value in rows if value is not None]
    table = Table(data, colWidths=[key_width, width - key_width], hAlign="LEFT", splitInRow=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (0, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                # Labels are set smaller than values: lower them so both first lines share a baseline.
                ("TOPPADDING", (0, 0), (0, -1), 3 + styles.body.fontSize - styles.label.fontSize),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("LINEBELOW", (0, 0), (-1, -2), 0.25, RULE),
            ]
        )
    )
    return table


def data_table(
    header: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    *,
    col_widths: Sequence[float] | None = None,
    width: float = CONTENT_WIDTH,
) -> Table:
    """A grid with a shaded header row that repeats at the top of every page the table runs onto.
    ``col_widths`` are fractions of ``width`` (default: equal columns)."""
    styles = get_styles()
    cell_style = ParagraphStyle("data_cell", parent=styles.body, fontSize=9, leading=12, spaceAfter=0)
    fractions = list(col_widths) if col_widths else [1 / len(header)] * len(header)
    data = [[para(label, styles.label) for label in header]]
    data += [[_cell(value, cell_style) for value in row] for row in rows]
    table = Table(data, colWidths=[width * f for f in fractions], repeatRows=1, hAlign="LEFT", splitInRow=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("LINEBELOW", (0, 0), (-1, 0), 0.75, ACCENT),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 5),
                ("RIGHTPADDING", (0, 0), (-1, -1), 5),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


class _PageCount(Flowable):
    """An invisible marker that remembers how many pages the last layout pass produced. It counts as
    an indexing flowable, so ``multiBuild`` lays the document out again until the count is stable
    and the footer can say "Page X of Y"."""

    def __init__(self, template: BaseDocTemplate):
        super().__init__()
        self.template = template
        self.pages: int | None = None
        self._previous: int | None = None

    # reportlab's indexing-flowable protocol (camelCase names are reportlab's).
    def isIndexing(self) -> int:
        return 1

    def beforeBuild(self) -> None:
        pass

    def afterBuild(self) -> None:
        self._previous, self.pages = self.pages, self.template.page

    def isSatisfied(self) -> int:
        return int(self.pages == self._previous)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        pass


class Document:
    """Base class for every PDF. Subclasses implement ``get_title`` and ``story`` and may override
    ``get_subject``, ``get_footer_text``, ``draw_letterhead`` and ``draw_footer``.

    ``render()`` activates ``language`` (default: the active language) for the whole build, so
    gettext calls inside ``story`` and the page furniture are translated, and records it as the
    PDF's language for screen readers.
    """

    pagesize = PAGE_SIZE
    filename = "document.pdf"

    def __init__(self, *, language: str | None = None):
        self.language = language

    def get_title(self) -> str:
        raise NotImplementedError

    def get_subject(self) -> str:
        return ""

    def get_footer_text(self) -> str:
        return self.get_title()

    def story(self) -> list[Flowable]:
        """The content, in reading order. Called once per render, inside the document's language."""
        raise NotImplementedError

    def render(self) -> bytes:
        register_fonts()
        language = self.language or translation.get_language() or settings.LANGUAGE_CODE
        with translation.override(language):
            buffer = io.BytesIO()
            width, height = self.pagesize
            template = BaseDocTemplate(
                buffer,
                pagesize=self.pagesize,
                leftMargin=MARGIN,
                rightMargin=MARGIN,
                topMargin=MARGIN + LETTERHEAD_HEIGHT,
                bottomMargin=MARGIN + FOOTER_HEIGHT,
                title=clean(self.get_title()),
                author=clean(settings.OVERSIGHT_BODY_NAME),
                subject=clean(self.get_subject()),
                creator=clean(settings.OVERSIGHT_BODY_NAME),
                lang=language,
                displayDocTitle=True,
            )
            counter = _PageCount(template)
            frame = Frame(
                template.leftMargin,
                template.bottomMargin,
                template.width,
                template.height,
                leftPadding=0,
                rightPadding=0,
                topPadding=0,
                bottomPadding=0,
                id="body",
            )
            # The letterhead is drawn before the page's content and the footer after it, so text
            # extraction and screen readers meet them in that order.
            template.addPageTemplates(
                PageTemplate(
                    id="page",
                    frames=[frame],
                    onPage=lambda canvas, doc: self.draw_letterhead(canvas, width, height),
                    onPageEnd=lambda canvas, doc: self.draw_footer(canvas, width, doc.page, counter.pages or doc.page),
                )
            )
            template.multiBuild([counter, *self.story()])
            return buffer.getvalue()

    def draw_letterhead(self, canvas: Canvas, width: float, height: float) -> None:
        styles = get_styles()
        contact = " · ".join(
            part
            for part in [
                settings.OVERSIGHT_ADDRESS,
                settings.OVERSIGHT_CONTACT_PHONE,
                settings.OVERSIGHT_CONTACT_EMAIL,
            ]
            if part
        )
        top = height - MARGIN
        y = top
        for text, style in [(settings.OVERSIGHT_BODY_NAME, styles.letterhead), (contact, styles.letterhead_small)]:
            p = para(text, style)
            _w, h = p.wrap(width - 2 * MARGIN, LETTERHEAD_HEIGHT)
            y -= h
            p.drawOn(canvas, MARGIN, y)
        canvas.saveState()
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(1)
        canvas.line(MARGIN, y - 6, width - MARGIN, y - 6)
        canvas.restoreState()

    def draw_footer(self, canvas: Canvas, width: float, page: int, pages: int) -> None:
        styles = get_styles()
        y = MARGIN
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, y + FOOTER_HEIGHT - 8, width - MARGIN, y + FOOTER_HEIGHT - 8)
        canvas.restoreState()
        half = (width - 2 * MARGIN) / 2
        left = para(self.get_footer_text(), ParagraphStyle("footer_left", parent=styles.footer, alignment=TA_LEFT))
        right = para(
            _("Page %(page)s of %(pages)s") % {"page": page, "pages": pages},
            ParagraphStyle("footer_right", parent=styles.footer, alignment=TA_RIGHT),
        )
        for p, x in [(left, MARGIN), (right, MARGIN + half)]:
            _w, h = p.wrap(half, FOOTER_HEIGHT)
            p.drawOn(canvas, x, y + FOOTER_HEIGHT - 14 - h)


__all__ = [
    "ACCENT",
    "CONTENT_WIDTH",
    "Document",
    "Styles",
    "clean",
    "data_table",
    "esc",
    "facts_table",
    "get_styles",
    "para",
    "paragraphs",
    "register_fonts",
]
