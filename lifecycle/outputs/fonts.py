"""Fonts for PDF packs: find the installed Noto Sans CJK (fonts-noto-cjk) and embed the subset
a document uses. Its outlines are PostScript (CFF), which reportlab cannot embed, so for each
document the font is subset to the characters used and converted to TrueType outlines with
fontTools. Charts are drawn with matplotlib (Agg backend) in the same font: no browser, no network.

May import: `lifecycle.domain`, `lifecycle.outputs.document`.
"""
from __future__ import annotations

import io
import shutil
import subprocess
import threading
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


from lifecycle.domain import labels
from lifecycle.outputs.document import PackError


# ---- fonts -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class FontFace:
    path: str
    index: int
    family: str


def _fc_list() -> list[FontFace]:
    if not shutil.which("fc-list"):
        return []
    try:
        out = subprocess.run(["fc-list", "-f", "%{file}|%{index}|%{family}\n", ":lang=zh"],
                             capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    faces = []
    for line in out.splitlines():
        parts = line.split("|")
        if len(parts) >= 3 and parts[1].isdigit():
            faces.append(FontFace(parts[0], int(parts[1]), parts[2].split(",")[0]))
    return faces


FALLBACK_FONT_DIRS = (Path("/usr/share/fonts/opentype/noto"), Path("/usr/share/fonts/noto-cjk"))


@lru_cache(maxsize=1)
def find_cjk_fonts() -> FontFace:
    """The installed Noto Sans CJK SC regular face (or, failing that, another CJK face).
    Raises PackError with a Chinese message when no CJK font is installed."""
    faces = _fc_list()
    if not faces:  # no fontconfig: look where Debian/Ubuntu install fonts-noto-cjk
        for base in FALLBACK_FONT_DIRS:
            if (base / "NotoSansCJK-Regular.ttc").exists():
                faces.append(FontFace(str(base / "NotoSansCJK-Regular.ttc"), 2, "Noto Sans CJK SC"))
    usable = [f for f in faces if Path(f.path).suffix.lower() in (".ttc", ".otf", ".ttf", ".otc")]
    if not usable:
        raise PackError(labels.REVIEW["no_font"])

    def score(f: FontFace) -> tuple:
        name = Path(f.path).name.lower()
        return ("Noto Sans CJK SC" in f.family and "Mono" not in f.family, "Noto Sans CJK" in f.family,
                "CJK" in f.family, "regular" in name, "bold" not in name)

    return max(usable, key=score)


_FONT_LOCK = threading.Lock()


def _ttf_subset(face: FontFace, text: str, tag: str = "") -> bytes:
    """The face subset to the characters of `text`, with TrueType (quadratic) outlines. `tag` is
    appended to its PostScript name: reportlab maps every font registered later with an already
    registered face name to the first one, so each document's subset needs a name of its own."""
    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    font = TTFont(face.path, fontNumber=face.index, lazy=True)
    for table in ("VORG", "vhea", "vmtx", "BASE", "GPOS", "GSUB", "GDEF", "DSIG"):
        if table in font:  # layout and vertical-writing tables: not needed, and slow to subset
            del font[table]
    opts = subset.Options()
    opts.name_IDs = ["*"]
    opts.notdef_outline = True
    opts.layout_features = []
    opts.hinting = False
    opts.desubroutinize = True
    sub = subset.Subsetter(opts)
    sub.populate(text=text)
    sub.subset(font)
    if "CFF " in font:
        order = font.getGlyphOrder()
        glyph_set = font.getGlyphSet()
        glyf = newTable("glyf")
        glyf.glyphOrder = order
        glyf.glyphs = {}
        for name in order:
            pen = TTGlyphPen(glyph_set)
            glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
            glyf.glyphs[name] = pen.glyph()
        font["loca"] = newTable("loca")
        font["glyf"] = glyf
        del font["CFF "]
        font["head"].glyphDataFormat = 0
        maxp = font["maxp"]
        maxp.tableVersion = 0x00010000
        for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
                     "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
                     "maxComponentElements"):
            setattr(maxp, attr, 0)
        maxp.maxZones = 1
        post = font["post"]
        post.formatType = 2.0
        post.extraNames = []
        post.mapping = {}
        post.glyphOrder = order
        font.sfntVersion = "\x00\x01\x00\x00"
    if tag:
        for rec in font["name"].names:
            if rec.nameID == 6:
                rec.string = f"{rec.toUnicode()}-{tag}"
    buf = io.BytesIO()
    font.save(buf)
    return buf.getvalue()


_REGISTERED: list[tuple[frozenset, str]] = []  # (characters covered, reportlab font name)


def _register_font(text: str) -> str:
    """A reportlab font covering the characters of `text`: a subset of the CJK font, converted
    and registered once per process and reused while it covers a document's characters (each
    PDF embeds only the glyphs it uses); a document with new characters gets a new subset
    covering those and all earlier ones."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    face = find_cjk_fonts()
    need = frozenset(text) | frozenset(_BASE_CHARS)
    with _FONT_LOCK:
        for chars, name in reversed(_REGISTERED):
            if need <= chars:
                return name
        chars = need | (_REGISTERED[-1][0] if _REGISTERED else frozenset())
        try:
            tag = uuid.uuid4().hex[:10]
            data = _ttf_subset(face, "".join(sorted(chars)), tag)
            name = f"CJK-{tag}"
            pdfmetrics.registerFont(TTFont(name, io.BytesIO(data)))
        except Exception as e:  # a damaged or unsupported font file
            raise PackError(f"中文字体 {face.path} 无法使用（{e}）。{labels.REVIEW['no_font']}") from None
        _REGISTERED.append((chars, name))
    return name


_BASE_CHARS = ("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
               " .,:;!?%()[]<>+-=*/_#&'\"·—–…、，。：；！？（）【】《》“”‘’％≥≤×～\u3000")


@lru_cache(maxsize=1)
def _mpl_font() -> str:
    """Configure matplotlib (Agg) to draw Chinese with the installed CJK font; returns its family."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib import font_manager

    regular = find_cjk_fonts()
    known = {f.name for f in font_manager.fontManager.ttflist}
    family = regular.family if regular.family in known else None
    if family is None:
        font_manager.fontManager.addfont(regular.path)
        family = font_manager.FontProperties(fname=regular.path).get_name()
    matplotlib.rcParams["font.family"] = [family]
    matplotlib.rcParams["axes.unicode_minus"] = False
    return family


# ---- charts ----------------------------------------------------------------------------------
def _bar_chart(labels_: list[str], values: list[float], title: str, xlabel: str,
               color: str = "#2f6fb0", fmt: str = "{:.1f}") -> bytes:
    """A horizontal bar chart as PNG (first item at the top)."""
    _mpl_font()
    import matplotlib.pyplot as plt

    n = max(len(labels_), 1)
    fig, ax = plt.subplots(figsize=(10, max(2.2, 0.32 * n + 1.0)), dpi=150)
    try:
        y = list(range(len(labels_)))
        vals = [v if v is not None else 0.0 for v in values]
        ax.barh(y, vals, color=color)
        if fmt == "{:.0f}":  # counts: whole-number ticks
            from matplotlib.ticker import MaxNLocator
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_yticks(y, labels_)
        ax.invert_yaxis()
        ax.set_title(title, fontsize=13)
        ax.set_xlabel(xlabel)
        for yi, v, raw in zip(y, vals, values):
            ax.text(v, yi, " " + ("—" if raw is None else fmt.format(raw)), va="center", fontsize=8)
        ax.spines[["top", "right"]].set_visible(False)
        ax.margins(x=0.12)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        return buf.getvalue()
    finally:
        plt.close(fig)

