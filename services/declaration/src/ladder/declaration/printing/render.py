"""The printed 申报书: one submitted version as a PDF.

Pure and synchronous (CPU work: callers run it off the event loop). Text is set in the
Adobe-GB1 CID font STSong-Light that every PDF reader ships, so no font file is needed here;
reportlab writes it with the predefined `UniGB-UCS2-H` encoding, whose character codes are the
Unicode code units, so text extractors (pypdf, pdftotext) read the Chinese back without a
ToUnicode map.

The version's content is JSON that grows with the 申报书. It is laid out generically: short
scalars (and short lists of them) of an object go into a key/value table; objects, lists of
objects and long texts become numbered sections. Nothing is dropped silently: past
`MAX_PRINTED_CHARS` of text the rest is left out and the page says so, and past `MAX_DEPTH`
the remaining nesting prints as JSON.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.barcode import qrencoder
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from ladder.declaration.printing.labels import FIELD_ORDER, field_label, tier_name, value_text

FONT = "STSong-Light"
MONO = "Courier"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

BEIJING = timezone(timedelta(hours=8), "北京时间")  # no daylight saving since 1991
TITLE = "智能工厂梯度培育 申报书"
QR_FORM = "verification-qr"

MAX_PRINTED_CHARS = 200_000  # of text, about 120 dense pages
MAX_DEPTH = 8
CELL_MAX_CHARS = 300  # longer values leave the table: a table row cannot break across pages
CELL_MAX_LINES = 8
INLINE_LIST_ITEM_CHARS = 20  # a list of scalars this short reads as "a、b、c"
CHUNK_CHARS = 2_000  # one Paragraph per chunk of a long text keeps page breaking cheap

PAGE_W, PAGE_H = A4
MARGIN = 18 * mm
FOOTER_H = 14 * mm
FRAME_W = PAGE_W - 2 * MARGIN
LABEL_W = 48 * mm
QR_SIZE = 38 * mm

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


@dataclass(frozen=True)
class PrintableVersion:
    """Everything the printed copy shows, read before rendering (no database here)."""

    declaration_id: str
    number: int
    tier: str
    campaign_year: int
    campaign_title: str | None
    enterprise_name: str
    enterprise_uscc: str
    factory_name: str
    submitted_at: datetime
    fingerprint: str
    content: Mapping[str, Any]
    verification_url: str


def beijing_time(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S（北京时间）")


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=15, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", base, fontSize=20, leading=28, alignment=1),
        "subtitle": ParagraphStyle("subtitle", base, fontSize=15, leading=22, alignment=1),
        "h1": ParagraphStyle(
            "h1",
            base,
            fontSize=13,
            leading=19,
            spaceBefore=8,
            spaceAfter=4,
            backColor=colors.HexColor("#e8eef6"),
            keepWithNext=1,
            borderPadding=(2, 3, 2, 3),
        ),
        "h2": ParagraphStyle(
            "h2", base, fontSize=11.5, leading=17, spaceBefore=6, spaceAfter=3, keepWithNext=1
        ),
        "body": base,
        "cell": ParagraphStyle("cell", base, fontSize=9.5, leading=14),
        "label": ParagraphStyle("label", base, fontSize=9.5, leading=14),
        "mono": ParagraphStyle("mono", base, fontName=MONO, fontSize=8.5, leading=12),
        "small": ParagraphStyle("small", base, fontSize=8.5, leading=12.5),
        "notice": ParagraphStyle(
            "notice",
            base,
            textColor=colors.HexColor("#9a1b1b"),
            borderColor=colors.HexColor("#9a1b1b"),
            borderWidth=0.6,
            borderPadding=4,
            spaceBefore=6,
            spaceAfter=6,
        ),
    }


def _clean(text: str) -> str:
    """Control characters and lone surrogates would break the PDF text; they print as �."""
    return _CONTROL.sub("\ufffd", text)


def _markup(text: str) -> str:
    return escape(_clean(text)).replace("\n", "<br/>")


class QrFlowable(Flowable):
    """The verification URL as a QR code, drawn once as a named form XObject (vector)."""

    def __init__(self, value: str, size: float = QR_SIZE, border: int = 2) -> None:
        super().__init__()
        self.value = value
        self.width = self.height = size
        self.border = border
        self.qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
        self.qr.addData(value)
        self.qr.make()

    def draw(self) -> None:
        canv = self.canv
        if not canv.hasForm(QR_FORM):
            count = self.qr.getModuleCount()
            box = self.width / (count + 2 * self.border)
            canv.beginForm(QR_FORM, 0, 0, self.width, self.height)
            canv.setFillColor(colors.black)
            for r, row in enumerate(self.qr.modules):
                c = 0
                while c < count:
                    if not row[c]:
                        c += 1
                        continue
                    start = c
                    while c < count and row[c]:
                        c += 1
                    y = self.height - (r + self.border + 1) * box
                    canv.rect((start + self.border) * box, y, (c - start) * box, box, 0, 1)
            canv.endForm()
        canv.doForm(QR_FORM)


class _Content:
    """Lays out the version's JSON content within a budget of printed characters."""

    def __init__(self, styles: dict[str, ParagraphStyle], budget: int) -> None:
        self.styles = styles
        self.budget = budget
        self.printed = 0
        self.omitted = 0
        self.cut_noted = False
        self.story: list[Flowable] = []

    # -- budget -------------------------------------------------------------------------------
    def _take(self, text: str) -> bool:
        """Whether `text` still fits the budget; counts it either way. After the first cut
        nothing more prints, so the paper never skips a part and goes on after it."""
        if not self.cut_noted and self.printed + len(text) <= self.budget:
            self.printed += len(text)
            return True
        self.omitted += len(text)
        if not self.cut_noted:
            self.cut_noted = True
            self.story.append(Paragraph(_markup(cut_notice(self.budget)), self.styles["notice"]))
        return False

    # -- layout -------------------------------------------------------------------------------
    def node(self, key: str, value: Any, number: str, depth: int) -> None:
        """A section: its heading, then the value laid out beneath it."""
        heading = f"{number} {field_label(key)}"
        style = self.styles["h1" if depth <= 1 else "h2"]
        if not self._take(heading):
            self._count(value)
            return
        self.story.append(Paragraph(_markup(heading), style))
        if depth >= MAX_DEPTH and not _is_scalar(value):
            self.text(json.dumps(value, ensure_ascii=False, indent=1))
        elif isinstance(value, Mapping):
            self.mapping(value, number, depth)
        elif isinstance(value, list | tuple):
            self.sequence(key, value, number, depth)
        else:
            self.text(_leaf_text(key, value))

    def mapping(self, data: Mapping[str, Any], number: str, depth: int) -> None:
        rows: list[tuple[str, str]] = []
        sections: list[tuple[str, Any]] = []
        for key in _ordered(data):
            value = data[key]
            text = _leaf_text(key, value) if _is_leaf(value) else None
            if text is not None and _fits_cell(text):
                rows.append((field_label(key), text))
            else:
                sections.append((key, value))
        if not data:
            self.text("（无）")
        self.table(rows)
        for i, (key, value) in enumerate(sections, start=1):
            self.node(key, value, f"{number}.{i}" if number else f"{i}", depth + 1)

    def sequence(self, key: str, items: Sequence[Any], number: str, depth: int) -> None:
        if not items:
            self.text("（无）")
            return
        if all(_is_scalar(v) for v in items):
            self.text(_list_text(key, items))
            return
        label = field_label(key)
        for i, item in enumerate(items, start=1):
            self.node(f"{label} 第{i}项", item, f"{number}.{i}", depth + 1)

    def table(self, rows: list[tuple[str, str]]) -> None:
        cells = []
        for label, text in rows:
            if self._take(label + text):
                cells.append(
                    [
                        Paragraph(_markup(label), self.styles["label"]),
                        Paragraph(_markup(text), self.styles["cell"]),
                    ]
                )
        if cells:
            self.story.append(_kv_table(cells))

    def text(self, text: str) -> None:
        for paragraph in text.split("\n"):
            for chunk in _chunks(paragraph, CHUNK_CHARS):
                if self._take(chunk):
                    self.story.append(Paragraph(_markup(chunk) or "&nbsp;", self.styles["body"]))

    def _count(self, value: Any) -> None:
        for text in _leaves(value):
            self.omitted += len(text)


def cut_notice(budget: int, omitted: int | None = None) -> str:
    left_out = f"其中约 {omitted:,} 字未打印" if omitted else "超出部分未打印"
    return (
        f"【打印限制】本版本内容超过 {budget:,} 字，{left_out}。"
        "完整内容以线上提交版本为准；页脚的 SHA-256 指纹覆盖完整内容，可扫码核验。"
    )


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _is_leaf(value: Any) -> bool:
    return _is_scalar(value) or (
        isinstance(value, list | tuple) and all(_is_scalar(v) for v in value)
    )


def _leaf_text(key: str, value: Any) -> str:
    if isinstance(value, list | tuple):
        return _list_text(key, value) if value else "（无）"
    return value_text(key, value)


def _list_text(key: str, items: Sequence[Any]) -> str:
    texts = [value_text(key, v) for v in items]
    if all(len(t) <= INLINE_LIST_ITEM_CHARS and "\n" not in t for t in texts):
        return "、".join(texts)
    return "\n".join(f"{i}. {t}" for i, t in enumerate(texts, start=1))


def _fits_cell(text: str) -> bool:
    return len(text) <= CELL_MAX_CHARS and text.count("\n") < CELL_MAX_LINES


def _ordered(data: Mapping[str, Any]) -> list[str]:
    first = [k for k in FIELD_ORDER if k in data]
    return first + [k for k in data if k not in FIELD_ORDER]


def _leaves(value: Any) -> Iterator[str]:
    if isinstance(value, Mapping):
        for k, v in value.items():
            yield str(k)
            yield from _leaves(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _leaves(v)
    else:
        yield value_text("", value)


def _chunks(text: str, size: int) -> Iterator[str]:
    if not text:
        yield ""
        return
    for start in range(0, len(text), size):
        yield text[start : start + size]


def _kv_table(cells: list[list[Paragraph]], label_w: float = LABEL_W) -> Table:
    table = Table(cells, colWidths=[label_w, FRAME_W - label_w], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#8a94a6")),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f3f5f8")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _header(version: PrintableVersion, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    campaign = f"{version.campaign_year}年"
    if version.campaign_title:
        campaign = f"{version.campaign_title}（{version.campaign_year}）"
    rows = [
        ("企业名称", version.enterprise_name, "cell"),
        ("统一社会信用代码", version.enterprise_uscc, "cell"),
        ("智能工厂", version.factory_name, "cell"),
        ("申报批次", campaign, "cell"),
        ("申报层级", tier_name(version.tier), "cell"),
        ("版本", f"第 {version.number} 版", "cell"),
        ("提交时间", beijing_time(version.submitted_at), "cell"),
        ("申报编号", version.declaration_id, "mono"),
    ]
    info_w = FRAME_W - QR_SIZE - 6 * mm
    info = Table(
        [
            [Paragraph(_markup(k), styles["label"]), Paragraph(_markup(v), styles[s])]
            for k, v, s in rows
        ],
        colWidths=[32 * mm, info_w - 32 * mm],
    )
    info.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#8a94a6")),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f3f5f8")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    qr = [QrFlowable(version.verification_url), Paragraph("扫码核验", styles["small"])]
    layout = Table([[info, qr]], colWidths=[info_w + 6 * mm, QR_SIZE])
    layout.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (1, 0), (1, 0), "CENTER"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    # Full width: the 64-character fingerprint fits on one line only here.
    proof = _kv_table(
        [
            [
                Paragraph("SHA-256 指纹", styles["label"]),
                Paragraph(_markup(version.fingerprint), styles["mono"]),
            ],
            [
                Paragraph("核验地址", styles["label"]),
                Paragraph(_markup(version.verification_url), styles["mono"]),
            ],
        ],
        label_w=32 * mm,
    )
    return [
        Paragraph(_markup(TITLE), styles["title"]),
        Paragraph(_markup(f"（{tier_name(version.tier)}）"), styles["subtitle"]),
        Spacer(0, 5 * mm),
        layout,
        Spacer(0, 2 * mm),
        proof,
        Spacer(0, 2 * mm),
        Paragraph(
            _markup(
                "本文件由申报系统根据线上提交版本生成，纸质版须与线上填报一致。"
                "扫描二维码或访问核验地址，可核验本文件对应的申报版本，"
                "以及它是否为该申报最新提交、正在评审的版本。"
            ),
            styles["small"],
        ),
        Spacer(0, 4 * mm),
    ]


def _footer_canvas(version: PrintableVersion) -> type[Canvas]:
    """A canvas that holds its pages back until the end, to print "page x / y" on each."""
    line_two = f"{version.enterprise_name}　{tier_name(version.tier)}申报书　第 {version.number} 版"

    class FooterCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._held: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._held)
            for number, state in enumerate(self._held, start=1):
                self.__dict__.update(state)
                self._footer(number, total)
                super().showPage()
            super().save()

        def _footer(self, number: int, total: int) -> None:
            self.saveState()
            self.setStrokeColor(colors.HexColor("#8a94a6"))
            self.setLineWidth(0.5)
            top = MARGIN + FOOTER_H - 4 * mm
            self.line(MARGIN, top, PAGE_W - MARGIN, top)
            y = top - 4.2 * mm
            self.setFont(FONT, 8)
            label = "SHA-256 指纹："
            self.drawString(MARGIN, y, label)
            self.setFont(MONO, 7.5)
            self.drawString(MARGIN + pdfmetrics.stringWidth(label, FONT, 8), y, version.fingerprint)
            self.setFont(FONT, 8)
            self.drawRightString(PAGE_W - MARGIN, y, f"第 {number} / {total} 页")
            self.drawString(MARGIN, y - 4 * mm, line_two)
            self.restoreState()

    return FooterCanvas


def render_pdf(version: PrintableVersion, *, max_chars: int = MAX_PRINTED_CHARS) -> bytes:
    """The printable copy of one submitted version; the same version gives the same bytes."""
    styles = _styles()
    content = _Content(styles, max_chars)
    content.story.append(Paragraph("申报内容", styles["h1"]))
    content.mapping(version.content, "", 0)

    story = _header(version, styles)
    if content.omitted:
        story.append(Paragraph(_markup(cut_notice(max_chars, content.omitted)), styles["notice"]))
    story += content.story
    story.append(Spacer(0, 6 * mm))
    story.append(
        KeepTogether(
            Paragraph(
                _markup(f"（申报书正文完　第 {version.number} 版　指纹 {version.fingerprint}）"),
                styles["small"],
            )
        )
    )

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + FOOTER_H,
        title=f"{TITLE}（{tier_name(version.tier)}）{version.enterprise_name} 第{version.number}版",
        author=version.enterprise_name,
        subject=f"SHA-256 {version.fingerprint}",
        creator="Ladder 智能工厂梯度培育",
        invariant=1,  # no timestamps or random ids: the same version prints the same bytes
    )
    doc.build(story, canvasmaker=_footer_canvas(version))
    return buffer.getvalue()
