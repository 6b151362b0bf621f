"""Product illustrations for the demo catalog, drawn locally with Pillow (no downloads).

Each product type has a simple flat drawing (`SHAPES`); its colours come from the
product's colour/finish/material attributes and its SKU, and its proportions vary with
the SKU, so every product gets its own pictures, and the same ones on every run. Up to
three views: the product on a soft backdrop, a second angle on a patterned backdrop,
and a close-up. Drawn at 2× and reduced, for smooth edges.

Coordinates in the drawing functions are in a 0–100 square (y down); the product stands
on a floor around y = 80.
"""

from __future__ import annotations

import colorsys
import hashlib
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import PIL
from PIL import Image, ImageDraw, ImageFilter

from backend.media.images import encode_webp
from backend.media.storage import LocalMediaStorage, content_key
from backend.media.thumbnails import store_thumbnails

SIZE = 800
SUPERSAMPLE = 2
CANVAS = SIZE * SUPERSAMPLE

RGB = tuple[int, int, int]
Point = tuple[float, float]

# ── Colours ──────────────────────────────────────────────────────────────────

NAMED_COLOURS: dict[str, RGB] = {
    "Black": (44, 45, 50),
    "Matte Black": (56, 56, 60),
    "White": (242, 241, 236),
    "White Gloss": (248, 248, 246),
    "Charcoal": (68, 72, 80),
    "Slate": (96, 110, 128),
    "Stone": (178, 170, 154),
    "Sand": (220, 198, 160),
    "Cream": (242, 230, 204),
    "Oat": (224, 210, 182),
    "Navy": (38, 58, 100),
    "Forest Green": (46, 96, 68),
    "Sage": (152, 174, 138),
    "Olive": (112, 116, 66),
    "Rust": (180, 86, 48),
    "Terracotta": (200, 108, 76),
    "Mustard": (218, 168, 56),
    "Sky Blue": (124, 180, 224),
    "Coral": (240, 124, 104),
    "Teal": (34, 132, 132),
    "Lavender": (172, 154, 212),
    "Blush": (234, 184, 178),
    "Red": (204, 52, 52),
    "Copper": (192, 112, 72),
    "Brass": (198, 162, 84),
    "Stainless": (192, 196, 200),
    "Brushed Aluminium": (198, 202, 206),
    "Walnut": (112, 74, 50),
    "Black Oak": (62, 52, 46),
    "Indigo": (46, 60, 112),
    "Washed Blue": (112, 142, 182),
    "Tan": (192, 142, 92),
    "Dark Brown": (92, 62, 42),
}
WOODS: dict[str, RGB] = {
    "Walnut": (122, 82, 54),
    "Oak": (198, 160, 112),
    "Maple": (226, 198, 152),
    "Acacia": (172, 112, 62),
    "Bamboo": (216, 186, 122),
    "Cedar": (186, 122, 82),
    "Cork": (198, 152, 102),
    "Olive Wood": (190, 160, 110),
    "Pakkawood": (96, 58, 46),
    "Walnut & Maple": (122, 82, 54),
    "Rosewood & Boxwood": (120, 62, 48),
    "Ebonised Oak": (58, 50, 46),
    "Black Oak": (62, 52, 46),
}
METALS: dict[str, RGB] = {
    "Stainless Steel": (188, 194, 200),
    "Cast Iron": (60, 62, 66),
    "Enamelled Cast Iron": (60, 62, 66),
    "Carbon Steel": (84, 86, 92),
    "Copper": (196, 114, 74),
    "Aluminium": (202, 206, 212),
    "Galvanised Steel": (172, 180, 182),
    "Steel": (150, 156, 164),
    "Brushed Aluminium": (198, 202, 206),
    "German Steel": (196, 200, 206),
    "Japanese VG-10": (204, 208, 214),
    "Damascus Steel": (150, 156, 166),
}
PALETTE: tuple[RGB, ...] = (
    (224, 122, 95),
    (61, 64, 91),
    (129, 178, 154),
    (242, 204, 143),
    (70, 130, 180),
    (199, 84, 80),
    (94, 84, 142),
    (255, 183, 77),
    (38, 70, 83),
    (42, 157, 143),
    (233, 196, 106),
    (181, 101, 118),
    (96, 108, 56),
    (221, 161, 94),
)


def mix(a: RGB, b: RGB, t: float) -> RGB:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def darker(colour: RGB, t: float = 0.22) -> RGB:
    return mix(colour, (20, 20, 28), t)


def lighter(colour: RGB, t: float = 0.3) -> RGB:
    return mix(colour, (255, 255, 255), t)


def _distance(a: RGB, b: RGB) -> float:
    return math.dist(a, b)


@dataclass(frozen=True)
class Colours:
    main: RGB
    dark: RGB
    light: RGB
    accent: RGB
    metal: RGB
    wood: RGB
    ink: RGB = (40, 42, 50)
    paper: RGB = (250, 248, 242)
    glass: RGB = (214, 232, 240)
    green: RGB = (88, 150, 92)


@dataclass(frozen=True)
class Illustration:
    """What to draw for one product."""

    shape: str
    sku: str
    colour: str | None = None
    material: str | None = None
    hue: int = 200
    views: int = 1


def colours_for(illustration: Illustration) -> Colours:
    digest = hashlib.sha256(illustration.sku.encode()).digest()
    material = illustration.material or ""
    main = NAMED_COLOURS.get(illustration.colour or "")
    if main is None:
        main = WOODS.get(material) or METALS.get(material) or PALETTE[digest[0] % len(PALETTE)]
    accent = PALETTE[digest[1] % len(PALETTE)]
    if _distance(accent, main) < 90:
        accent = PALETTE[(digest[1] + 5) % len(PALETTE)]
    # Very dark products get lighter edges, or their parts would melt together.
    dark = darker(main) if sum(main) > 200 else lighter(main, 0.14)
    return Colours(
        main=main,
        dark=dark,
        light=lighter(main, 0.28),
        accent=accent,
        metal=METALS.get(material, (176, 182, 190)),
        wood=WOODS.get(material) or WOODS.get(illustration.colour or "") or (198, 160, 112),
    )


# ── A pen in 0–100 units, with an optional rotation, scale and offset ──────────


def _arc_points(  # noqa: PLR0917  (drawing primitives read best positionally)
    cx: float, cy: float, rx: float, ry: float, start: float, end: float
) -> list[Point]:
    steps = max(int(abs(end - start) / 6), 4)
    return [
        (
            cx + rx * math.cos(math.radians(start + (end - start) * i / steps)),
            cy + ry * math.sin(math.radians(start + (end - start) * i / steps)),
        )
        for i in range(steps + 1)
    ]


def _rounded_points(x0: float, y0: float, x1: float, y1: float, r: float) -> list[Point]:
    r = max(min(r, (x1 - x0) / 2, (y1 - y0) / 2), 0.0)
    if r == 0:
        return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    return (
        _arc_points(x1 - r, y0 + r, r, r, 270, 360)
        + _arc_points(x1 - r, y1 - r, r, r, 0, 90)
        + _arc_points(x0 + r, y1 - r, r, r, 90, 180)
        + _arc_points(x0 + r, y0 + r, r, r, 180, 270)
    )


@dataclass
class Pen:
    draw: ImageDraw.ImageDraw
    unit: float  # pixels per unit
    scale: float = 1.0
    offset: Point = (0.0, 0.0)
    angle: float = 0.0  # degrees, about `pivot`
    pivot: Point = (50.0, 50.0)

    def turned(self, angle: float, pivot: Point = (50.0, 50.0)) -> Pen:
        """The same pen, rotated by `angle` degrees about `pivot` (units)."""
        return Pen(self.draw, self.unit, self.scale, self.offset, angle, pivot)

    def _xy(self, x: float, y: float) -> Point:
        if self.angle:
            a = math.radians(self.angle)
            dx, dy = x - self.pivot[0], y - self.pivot[1]
            x = self.pivot[0] + dx * math.cos(a) - dy * math.sin(a)
            y = self.pivot[1] + dx * math.sin(a) + dy * math.cos(a)
        return (
            (self.offset[0] + 50 + (x - 50) * self.scale) * self.unit,
            (self.offset[1] + 50 + (y - 50) * self.scale) * self.unit,
        )

    def _width(self, width: float) -> int:
        return max(round(width * self.unit * self.scale), 1)

    def poly(self, points: Sequence[Point], fill: RGB) -> None:
        self.draw.polygon([self._xy(x, y) for x, y in points], fill=fill)

    def rect(
        self, x0: float, y0: float, x1: float, y1: float, fill: RGB, *, r: float = 0.0
    ) -> None:
        if self.angle:
            self.poly(_rounded_points(x0, y0, x1, y1, r), fill)
            return
        a, b = self._xy(x0, y0), self._xy(x1, y1)
        radius = min(r * self.unit * self.scale, (b[0] - a[0]) / 2, (b[1] - a[1]) / 2)
        self.draw.rounded_rectangle((a, b), radius=max(radius, 0), fill=fill)

    def ellipse(self, cx: float, cy: float, rx: float, ry: float, fill: RGB) -> None:
        if self.angle:
            self.poly(_arc_points(cx, cy, rx, ry, 0, 360), fill)
            return
        a, b = self._xy(cx - rx, cy - ry), self._xy(cx + rx, cy + ry)
        self.draw.ellipse((a, b), fill=fill)

    def circle(self, cx: float, cy: float, r: float, fill: RGB) -> None:
        self.ellipse(cx, cy, r, r, fill)

    def line(self, points: Sequence[Point], fill: RGB, width: float) -> None:
        xy = [self._xy(x, y) for x, y in points]
        pixels = self._width(width)
        self.draw.line(xy, fill=fill, width=pixels, joint="curve")
        for x, y in (xy[0], xy[-1]):  # round caps
            self.draw.ellipse(
                (x - pixels / 2, y - pixels / 2, x + pixels / 2, y + pixels / 2), fill
            )

    def arc(  # noqa: PLR0917
        self,
        cx: float,
        cy: float,
        rx: float,
        ry: float,
        start: float,
        end: float,
        fill: RGB,
        width: float,
    ) -> None:
        self.line(_arc_points(cx, cy, rx, ry, start, end), fill, width)

    def pie(  # noqa: PLR0917
        self, cx: float, cy: float, rx: float, ry: float, start: float, end: float, fill: RGB
    ) -> None:
        self.poly([(cx, cy), *_arc_points(cx, cy, rx, ry, start, end)], fill)

    def chord(  # noqa: PLR0917
        self, cx: float, cy: float, rx: float, ry: float, start: float, end: float, fill: RGB
    ) -> None:
        self.poly(_arc_points(cx, cy, rx, ry, start, end), fill)


Draw = Callable[[Pen, Colours, random.Random], None]

# ── The drawings ───────────────────────────────────────────────────────────────


def _headphones(p: Pen, c: Colours, j: random.Random) -> None:
    band = j.uniform(3.0, 4.2)
    p.arc(50, 52, 27, 33, 180, 360, c.dark, band + 1.6)
    p.arc(50, 52, 27, 33, 184, 356, c.main, band)
    for side in (-1, 1):
        x = 50 + side * 27
        p.rect(x - 1.6, 44, x + 1.6, 54, c.metal, r=0.8)
        p.rect(x - 8.5, 50, x + 8.5, 77, c.dark, r=7.5)
        p.rect(x - 7, 51.5, x + 7, 75.5, c.main, r=6.5)
        p.rect(x - 4, 54, x - 1.5, 72, c.light, r=1.2)
        p.circle(x + 1.5, 63.5, 2.6, c.accent)
        cushion = x - side * 9.5
        p.rect(cushion - 2.5, 52, cushion + 2.5, 75, c.ink, r=2.5)


def _earbuds(p: Pen, c: Colours, j: random.Random) -> None:
    p.rect(31, 50, 69, 79, c.dark, r=12)
    p.rect(32, 51, 68, 78, c.main, r=11)
    p.line([(32.5, 61), (67.5, 61)], c.dark, 0.7)
    p.circle(50, 70, 1.3, c.accent)
    tilt = j.uniform(-18, -8)
    for x, angle in ((39, tilt), (61, -tilt)):
        q = p.turned(angle, (x, 34))
        q.rect(x - 2.6, 34, x + 2.6, 50, c.main, r=2.6)
        q.circle(x, 32, 7.5, c.main)
        q.circle(x + (2.5 if x < 50 else -2.5), 31, 4.2, c.dark)
        q.circle(x - 2.5 if x < 50 else x + 2.5, 29.5, 1.6, c.light)


def _speaker(p: Pen, c: Colours, j: random.Random) -> None:
    w, h = j.uniform(24, 32), j.uniform(44, 56)
    top = 80 - h
    p.rect(50 - w / 2, top, 50 + w / 2, 80, c.dark, r=4)
    p.rect(50 - w / 2 + 1.3, top + 1.3, 50 + w / 2 - 1.3, 78.7, c.main, r=3.2)
    woofer = w * 0.34
    p.circle(50, 80 - h * 0.34, woofer, c.dark)
    p.circle(50, 80 - h * 0.34, woofer * 0.78, c.ink)
    p.circle(50, 80 - h * 0.34, woofer * 0.3, c.metal)
    p.circle(50, top + h * 0.2, w * 0.13, c.dark)
    p.circle(50, top + h * 0.2, w * 0.07, c.metal)
    p.circle(50 + w / 2 - 4, top + 3.5, 1, c.accent)


def _soundbar(p: Pen, c: Colours, j: random.Random) -> None:
    p.rect(12, 58, 88, 71, c.dark, r=5)
    p.rect(13, 59, 87, 70, c.main, r=4.5)
    for row in range(3):
        for col in range(34):
            p.circle(17 + col * 2, 61.5 + row * 3, 0.55, c.dark)
    p.rect(46, 71, 54, 73, c.ink, r=0.5)
    p.circle(84, 64.5, 0.8, c.accent)


def _turntable(p: Pen, c: Colours, j: random.Random) -> None:
    p.rect(16, 20, 84, 80, c.dark, r=3)
    p.rect(17, 21, 83, 79, c.wood if j.random() < 0.5 else c.main, r=2.5)
    p.circle(45, 50, 25, c.ink)
    for r in (22, 18, 14):
        p.ellipse(45, 50, r, r, (56, 58, 66))
        p.ellipse(45, 50, r - 0.6, r - 0.6, c.ink)
    p.circle(45, 50, 7, c.accent)
    p.circle(45, 50, 1, c.paper)
    p.circle(74, 28, 4, c.metal)
    p.line([(74, 28), (72, 56), (62, 66)], c.metal, 1.4)
    p.rect(59, 64, 64, 69, c.ink, r=1)
    p.circle(22, 74, 1.8, c.metal)


def _amplifier(p: Pen, c: Colours, j: random.Random) -> None:
    w = j.uniform(60, 70)
    x0, x1 = 50 - w / 2, 50 + w / 2
    p.rect(x0, 50, x1, 77, c.dark, r=2.5)
    p.rect(x0 + 1, 51, x1 - 1, 76, c.main, r=2)
    for x in (x0 + 9, x1 - 9):
        p.circle(x, 63.5, 6.5, c.dark)
        p.circle(x, 63.5, 5.6, c.metal)
        p.line([(x, 63.5), (x - 2.8, 59.5)], c.ink, 0.8)
    p.rect(40, 58, 60, 66, c.ink, r=1)
    p.rect(42, 61, 52, 63, c.accent, r=0.6)
    p.circle(56, 71, 0.9, c.accent)
    p.rect(x0 + 3, 77, x0 + 8, 79, c.ink)
    p.rect(x1 - 8, 77, x1 - 3, 79, c.ink)


def _microphone(p: Pen, c: Colours, j: random.Random) -> None:
    p.ellipse(50, 79, 17, 3.5, c.dark)
    p.rect(48.5, 58, 51.5, 79, c.metal, r=1)
    p.arc(50, 46, 16, 14, 20, 160, c.dark, 2.2)
    p.rect(37, 14, 63, 60, c.dark, r=13)
    p.rect(38.5, 15.5, 61.5, 58.5, c.main, r=11.5)
    for y in range(19, 40, 3):
        p.line([(41, y), (59, y)], c.dark, 0.6)
    p.rect(38.5, 42, 61.5, 45, c.accent)
    p.circle(50, 51, 1.6, c.ink)


def _pan(p: Pen, c: Colours, j: random.Random, wok: bool = False) -> None:
    r = j.uniform(22, 26)
    cx = 42
    handle = c.wood if wok else c.dark
    p.turned(-8, (cx, 50)).rect(cx + r - 2, 47, cx + r + 28, 53, handle, r=3)
    p.circle(cx + r + 24, 50, 1.2, c.paper)
    p.circle(cx, 50, r, c.dark)
    p.circle(cx, 50, r - 2.2, c.metal if wok else c.main)
    p.circle(cx, 50, r - 6, darker(c.metal if wok else c.main, 0.12))
    p.arc(cx, 50, r - 8, r - 8, 200, 250, lighter(c.main, 0.35), 1.6)


def _pot(p: Pen, c: Colours, j: random.Random, long_handle: bool = False) -> None:
    w = j.uniform(48, 56)
    x0, x1 = 50 - w / 2, 50 + w / 2
    body = c.metal if long_handle and c.main == c.metal else c.main
    if long_handle:
        p.rect(x1 - 2, 50, x1 + 20, 55, c.dark, r=2.5)
    else:
        for x in (x0 - 4, x1 - 2):
            p.rect(x, 52, x + 6, 57, c.dark, r=2.5)
    p.rect(x0, 48, x1, 79, darker(body, 0.1), r=7)
    p.rect(x0 + 1.2, 48, x1 - 1.2, 77.5, body, r=6)
    p.rect(x0 + 4, 52, x0 + 7, 74, lighter(body, 0.3), r=1.5)
    p.chord(50, 48, w / 2 + 1.5, 9, 180, 360, c.dark)
    p.rect(x0 - 1.5, 46.5, x1 + 1.5, 49.5, c.dark, r=1.5)
    p.rect(46, 35, 54, 39.5, c.metal, r=2)


def _knife(p: Pen, c: Colours, j: random.Random, bread: bool = False) -> None:
    q = p.turned(j.uniform(-32, -22))
    depth = j.uniform(9, 12)
    blade = [(12, 50), (22, 45.5 - depth * 0.2), (60, 44.5), (60, 44.5 + depth), (26, 44.5 + depth)]
    q.poly(blade, c.metal)
    q.poly([(22, 45.5 - depth * 0.2), (60, 44.5), (60, 47), (24, 48)], lighter(c.metal, 0.35))
    if bread:
        for x in range(26, 60, 3):
            q.circle(x, 44.5 + depth, 1.0, darker(c.metal, 0.15))
    q.rect(59, 44, 63, 44.5 + depth + 0.5, darker(c.metal, 0.15), r=1)
    q.rect(62, 45, 88, 44 + depth, c.wood, r=3)
    for x in (68, 75, 82):
        q.circle(x, 44.5 + depth / 2, 1.1, c.metal)


def _board(p: Pen, c: Colours, j: random.Random) -> None:
    x0, y0, x1, y1 = 18, 24, 82, 76
    p.rect(x0, y0 + 2, x1, y1 + 2, darker(c.wood, 0.3), r=5)
    p.rect(x0, y0, x1, y1, c.wood, r=5)
    tile = 6.4
    for row in range(int((y1 - y0) / tile)):
        for col in range(int((x1 - x0) / tile)):
            shade = (row * 3 + col * 7 + j.randint(0, 3)) % 4
            colour = mix(c.wood, darker(c.wood, 0.35), shade / 6)
            p.rect(x0 + 0.4 + col * tile, y0 + 0.4 + row * tile, x0 + (col + 1) * tile - 0.4,
                   y0 + (row + 1) * tile - 0.4, colour, r=0.6)  # fmt: skip


def _kettle(p: Pen, c: Colours, j: random.Random) -> None:
    p.line([(36, 66), (26, 58), (20, 44), (14, 36)], c.dark, 3.2)
    p.line([(36, 66), (26, 58), (20, 44), (14, 36)], c.main, 2)
    p.arc(66, 52, 10, 14, 270, 450, c.ink, 3)
    p.poly([(34, 78), (36, 48), (64, 48), (66, 78)], c.main)
    p.poly([(38, 74), (39.5, 52), (42, 52), (41.5, 74)], c.light)
    p.rect(33, 76, 67, 80, c.ink, r=1.5)
    p.chord(50, 48, 14, 5, 180, 360, c.dark)
    p.circle(50, 41.5, 2.4, c.accent)


def _grinder(p: Pen, c: Colours, j: random.Random) -> None:
    p.poly([(34, 18), (66, 18), (60, 38), (40, 38)], c.glass)
    for _ in range(14):
        x, y = j.uniform(40, 60), j.uniform(27, 35)
        p.ellipse(x, y, 1.6, 1.1, (96, 60, 40))
    p.rect(33, 16, 67, 19, c.ink, r=1)
    p.rect(38, 38, 62, 79, c.main, r=4)
    p.rect(40, 40, 43, 76, c.light, r=1.5)
    p.circle(50, 50, 4.5, c.dark)
    p.circle(50, 50, 3.2, c.metal)
    p.rect(42, 58, 58, 72, c.ink, r=2)
    p.rect(44, 62, 56, 72, (120, 80, 56), r=1.5)


def _press(p: Pen, c: Colours, j: random.Random) -> None:
    p.line([(50, 16), (50, 30)], c.metal, 1.4)
    p.circle(50, 15, 3.2, c.ink)
    p.arc(62, 52, 8, 14, 280, 440, c.ink, 2.6)
    p.rect(36, 28, 64, 78, c.glass, r=2)
    level = j.uniform(44, 52)
    p.rect(36, level, 64, 78, (110, 70, 46), r=2)
    p.rect(36, level, 64, level + 2.5, (176, 130, 88))
    p.rect(38, 31, 41, 74, lighter(c.glass, 0.5), r=1.5)
    for y in (28, 52, 74):
        p.rect(35, y, 65, y + 3, c.metal, r=1)
    p.rect(34, 26, 66, 30, c.metal, r=1.5)


def _mugs(p: Pen, c: Colours, j: random.Random) -> None:
    for x, colour, y in ((36, c.accent, 48), (60, c.main, 52)):
        p.arc(x + 11, y + 13, 6, 7, 270, 450, darker(colour, 0.1), 2.4)
        p.rect(x - 11, y, x + 11, y + 28, colour, r=3)
        p.rect(x - 11, y, x + 11, y + 3, lighter(colour, 0.25), r=1.5)
        p.rect(x - 8, y + 6, x - 5.5, y + 24, lighter(colour, 0.35), r=1.2)


def _teapot(p: Pen, c: Colours, j: random.Random) -> None:
    p.arc(50, 44, 14, 14, 200, 340, c.ink, 2.2)
    p.poly([(33, 62), (20, 48), (17, 47), (21, 53), (30, 70)], c.dark)
    p.ellipse(50, 62, 20, 17, c.dark)
    p.ellipse(50, 61, 19, 16, c.main)
    for x in range(36, 66, 4):
        for y in range(54, 74, 4):
            if (x - 50) ** 2 / 300 + (y - 62) ** 2 / 200 < 1:
                p.circle(x, y, 0.9, c.dark)
    p.chord(50, 47, 11, 5, 180, 360, c.dark)
    p.circle(50, 41, 2.2, c.accent)


def _mixer(p: Pen, c: Colours, j: random.Random) -> None:
    p.rect(24, 73, 76, 79, c.main, r=2)
    p.rect(60, 38, 74, 75, c.main, r=5)
    p.rect(24, 26, 76, 42, c.main, r=8)
    p.rect(28, 29, 60, 31.5, c.light, r=1)
    p.circle(70, 34, 2.4, c.metal)
    p.line([(42, 42), (42, 56)], c.metal, 1.4)
    p.chord(42, 54, 16, 18, 0, 180, c.metal)
    p.rect(25, 52, 59, 55, lighter(c.metal, 0.2), r=1.5)
    p.rect(62, 60, 64, 66, c.accent, r=1)


def _blender(p: Pen, c: Colours, j: random.Random) -> None:
    p.poly([(34, 22), (66, 22), (63, 62), (37, 62)], c.glass)
    level = j.uniform(36, 48)
    top = 34 + (level - 22) * 0.08
    p.poly([(top, level), (100 - top, level), (63, 62), (37, 62)], c.accent)
    p.rect(37, 24, 40, 58, lighter(c.glass, 0.5), r=1.5)
    p.arc(68, 40, 6, 12, 280, 440, c.ink, 2.2)
    p.rect(32, 18, 68, 23, c.ink, r=1.5)
    p.rect(34, 62, 66, 79, c.main, r=3)
    p.circle(50, 71, 4, c.dark)
    p.circle(50, 71, 2.8, c.metal)


def _toaster(p: Pen, c: Colours, j: random.Random) -> None:
    for x in (40, 55):
        p.rect(x - 5.5, 36, x + 5.5, 50, (214, 170, 110), r=3)
        p.rect(x - 4, 38, x + 4, 50, (236, 206, 150), r=2)
    p.rect(24, 46, 76, 79, c.main, r=9)
    p.rect(27, 50, 32, 74, c.light, r=2)
    for x in (40, 55):
        p.rect(x - 6, 45, x + 6, 48, c.ink, r=1)
    p.rect(73, 54, 79, 58, c.ink, r=1)
    p.circle(66, 70, 2.6, c.metal)
    p.rect(28, 79, 34, 81, c.ink)
    p.rect(66, 79, 72, 81, c.ink)


def _espresso(p: Pen, c: Colours, j: random.Random) -> None:
    p.rect(24, 22, 76, 79, c.main, r=4)
    p.rect(26, 24, 30, 76, c.light, r=1.5)
    p.rect(36, 30, 64, 36, c.ink, r=1)
    p.circle(68, 44, 4.5, c.paper)
    p.line([(68, 44), (70, 41.5)], c.accent, 0.8)
    p.rect(40, 40, 56, 47, c.metal, r=1.5)
    p.rect(56, 42.5, 72, 45.5, c.ink, r=1.5)
    p.rect(32, 64, 68, 70, c.dark, r=1)
    p.rect(32, 64, 68, 65.5, c.metal)
    p.rect(42, 54, 54, 64, c.paper, r=1.5)
    p.arc(54, 58.5, 3, 3, 270, 450, c.paper, 1.2)
    p.line([(30, 40), (30, 58)], c.metal, 1.2)


def _lamp(p: Pen, c: Colours, j: random.Random) -> None:
    p.circle(50, 38, 22, lighter(c.accent, 0.75))
    top = j.uniform(22, 27)
    p.poly([(38, top), (62, top), (70, 46), (30, 46)], c.main)
    p.poly([(38, top), (42, top), (35, 46), (30, 46)], c.light)
    p.rect(48.8, 46, 51.2, 70, c.metal)
    if j.random() < 0.5:
        p.ellipse(50, 72, 12, 8, c.dark)
        p.ellipse(50, 71, 12, 7.5, c.wood)
    else:
        p.rect(40, 68, 60, 79, c.dark, r=2)
        p.rect(41, 69, 59, 78, c.main, r=1.5)


def _floor_lamp(p: Pen, c: Colours, j: random.Random) -> None:
    p.circle(50, 22, 14, lighter(c.accent, 0.75))
    p.poly([(42, 12), (58, 12), (63, 28), (37, 28)], c.main)
    p.poly([(42, 12), (45, 12), (40, 28), (37, 28)], c.light)
    p.line([(50, 28), (50, 74)], c.metal, 1.2)
    for x in (38, 62):
        p.line([(50, 70), (x, 80)], c.wood, 1.6)
    p.line([(50, 70), (50, 80)], c.wood, 1.6)


def _pendant(p: Pen, c: Colours, j: random.Random) -> None:
    p.line([(50, 0), (50, 30)], c.ink, 0.6)
    p.rect(47, 28, 53, 33, c.metal, r=1)
    p.circle(50, 58, 16, lighter(c.accent, 0.6))
    w = j.uniform(22, 28)
    p.chord(50, 58, w, 26, 180, 360, c.main)
    p.chord(50, 58, w * 0.45, 24, 200, 250, c.light)
    p.rect(50 - w, 57, 50 + w, 59.5, c.dark, r=1)
    p.circle(50, 61, 5, (255, 240, 196))


def _folded(p: Pen, c: Colours, j: random.Random) -> None:
    layers = [(c.main, 0), (c.light, 1), (c.accent, 2)]
    for colour, i in layers:
        y = 64 - i * 11
        x0, x1 = 22 + i * 2, 78 - i * 2
        p.rect(x0, y, x1, y + 14, darker(colour, 0.12), r=3.5)
        p.rect(x0, y, x1, y + 11, colour, r=3.5)
        p.line([(x0 + 4, y + 6), (x1 - 4, y + 6)], darker(colour, 0.08), 0.5)


def _cushion(p: Pen, c: Colours, j: random.Random) -> None:
    pts = []
    for i in range(72):
        a = math.radians(i * 5)
        r = 27 - 3.5 * abs(math.cos(2 * a))
        pts.append((50 + r * math.cos(a) * 1.02, 53 + r * math.sin(a) * 0.9))
    p.poly(pts, c.dark)
    p.poly([(50 + (x - 50) * 0.96, 53 + (y - 53) * 0.96) for x, y in pts], c.main)
    pattern = j.randint(0, 2)
    if pattern == 0:
        p.rect(26, 48, 74, 58, c.accent)
        p.rect(26, 50, 74, 51, lighter(c.accent, 0.3))
    elif pattern == 1:
        for x in range(34, 70, 8):
            for y in range(38, 70, 8):
                p.circle(x, y, 1.2, lighter(c.main, 0.35))
    p.circle(50, 53, 2.2, c.dark)
    p.rect(30, 38, 33.5, 56, lighter(c.main, 0.25), r=1.7)


_VASE_PROFILES = (
    [(18, 5), (24, 5), (34, 14), (50, 18), (66, 15), (78, 9)],
    [(22, 7), (30, 7), (42, 16), (60, 17), (72, 13), (78, 11)],
    [(20, 10), (24, 11), (40, 12), (70, 12), (78, 11)],
)


def _vase(p: Pen, c: Colours, j: random.Random) -> None:
    profile = j.choice(_VASE_PROFILES)
    top = profile[0][0]
    for angle in (-18, 0, 16):
        stem_top = (50 + angle * 0.8, top - 14)
        p.line([(50, top + 6), stem_top], c.green, 0.9)
        p.circle(*stem_top, 3.2, c.accent if angle else lighter(c.accent, 0.4))
    left = [(50 - w, y) for y, w in profile]
    right = [(50 + w, y) for y, w in reversed(profile)]
    p.poly(left + right, c.main)
    shine = [(50 - w * 0.65, y) for y, w in profile]
    p.poly(shine + [(50 - w * 0.5, y) for y, w in reversed(profile)], c.light)
    p.ellipse(50, top, profile[0][1], 1.4, c.dark)


def _candle(p: Pen, c: Colours, j: random.Random) -> None:
    p.rect(34, 44, 66, 79, c.glass, r=4)
    p.rect(35.5, 50, 64.5, 78, (246, 236, 214), r=3)
    p.rect(34, 58, 66, 70, c.main)
    p.rect(40, 61, 60, 67, c.paper, r=1)
    p.line([(50, 50), (50, 45)], c.ink, 0.6)
    p.poly([(50, 34), (53.5, 42), (50, 46), (46.5, 42)], (255, 176, 64))
    p.poly([(50, 38), (51.8, 42.5), (50, 44.5), (48.2, 42.5)], (255, 236, 160))
    p.rect(37, 46, 39.5, 76, lighter(c.glass, 0.6), r=1)


def _clock(p: Pen, c: Colours, j: random.Random) -> None:
    p.circle(50, 50, 29, c.dark)
    p.circle(50, 50, 27, c.main)
    p.circle(50, 50, 24, c.paper)
    for hour in range(12):
        a = math.radians(hour * 30)
        inner = 19 if hour % 3 else 17
        p.line([(50 + inner * math.cos(a), 50 + inner * math.sin(a)),
                (50 + 21.5 * math.cos(a), 50 + 21.5 * math.sin(a))], c.ink, 1.1)  # fmt: skip
    hour_angle, minute_angle = j.uniform(0, 360), j.uniform(0, 360)
    for angle, length, width in ((hour_angle, 11, 2), (minute_angle, 17, 1.3)):
        a = math.radians(angle)
        p.line([(50, 50), (50 + length * math.cos(a), 50 + length * math.sin(a))], c.ink, width)
    a = math.radians(j.uniform(0, 360))
    p.line([(50, 50), (50 + 19 * math.cos(a), 50 + 19 * math.sin(a))], c.accent, 0.6)
    p.circle(50, 50, 1.6, c.accent)


def _frame(p: Pen, c: Colours, j: random.Random) -> None:
    border = c.wood if j.random() < 0.6 else c.main
    p.rect(24, 16, 76, 80, darker(border, 0.2))
    p.rect(25, 17, 75, 79, border)
    p.rect(29, 21, 71, 75, c.paper)
    sky = lighter(c.accent, 0.55)
    p.rect(34, 26, 66, 70, sky)
    p.circle(j.uniform(40, 60), 38, 4, (255, 210, 120))
    p.poly([(34, 60), (44, 46), (54, 58), (60, 50), (66, 58), (66, 70), (34, 70)], c.accent)
    p.poly([(34, 66), (48, 58), (66, 64), (66, 70), (34, 70)], darker(c.accent, 0.25))


def _desk(p: Pen, c: Colours, j: random.Random) -> None:
    top = j.uniform(36, 44)
    for x in (24, 76):
        p.rect(x - 2.5, top, x + 2.5, 77, c.dark)
        p.rect(x - 9, 77, x + 9, 80, c.ink, r=1)
    p.rect(12, top - 3, 88, top + 1, c.wood, r=1)
    p.rect(12, top + 1, 88, top + 2.2, darker(c.wood, 0.25))
    p.rect(70, top + 2.2, 78, top + 5, c.ink, r=0.8)
    p.rect(30, top - 17, 52, top - 5, c.ink, r=1.2)
    p.rect(31, top - 16, 51, top - 6, c.accent)
    p.rect(40, top - 5, 42, top - 3, c.ink)
    p.rect(63, top - 9, 69, top - 3, c.main, r=1)
    p.circle(66, top - 12, 4, c.green)


def _chair(p: Pen, c: Colours, j: random.Random) -> None:
    for a in (-60, -20, 20, 60):
        x = 50 + a * 0.42
        p.line([(50, 72), (x, 78)], c.ink, 1.6)
        p.circle(x, 79, 1.8, c.dark)
    p.rect(48.3, 56, 51.7, 73, c.metal)
    p.rect(34, 14, 66, 46, c.dark, r=8)
    p.rect(36, 16, 64, 44, c.main, r=7)
    for y in range(20, 42, 4):
        p.line([(39, y), (61, y)], darker(c.main, 0.12), 0.5)
    p.rect(30, 50, 70, 57, c.dark, r=3.5)
    p.rect(31, 50, 69, 55, c.main, r=3)
    for x in (28, 72):
        p.rect(x - 1.5, 40, x + 1.5, 52, c.ink)
        p.rect(x - 4, 38, x + 4, 41, c.ink, r=1.5)


def _stand(p: Pen, c: Colours, j: random.Random) -> None:
    p.rect(26, 20, 74, 50, c.ink, r=1.5)
    p.rect(27.5, 21.5, 72.5, 48.5, mix(c.accent, c.ink, 0.2))
    p.poly([(27.5, 48.5), (72.5, 25), (72.5, 48.5)], mix(c.accent, c.ink, 0.4))
    p.rect(46, 50, 54, 56, c.ink)
    p.rect(40, 56, 60, 58, c.ink, r=0.8)
    p.rect(16, 58, 84, 62, c.wood, r=1)
    p.rect(16, 62, 84, 63, darker(c.wood, 0.25))
    for x in (19, 77):
        p.rect(x, 63, x + 4, 78, c.wood)
    p.rect(28, 72, 72, 78, c.dark, r=1)


def _keyboard(p: Pen, c: Colours, j: random.Random) -> None:
    p.rect(12, 36, 88, 70, c.dark, r=3.5)
    p.rect(13, 37, 87, 68.5, c.main, r=3)
    keycap = lighter(c.main, 0.4) if sum(c.main) < 400 else darker(c.main, 0.12)
    for row in range(4):
        for col in range(14):
            x = 15.5 + col * 5.1 + (row % 2) * 1.2
            if x + 4.4 > 85:
                continue
            colour = c.accent if (row, col) in {(0, 0), (3, 13), (2, 12)} else keycap
            p.rect(x, 39.5 + row * 5.2, x + 4.4, 43.8 + row * 5.2, colour, r=0.8)
    p.rect(30, 60.6, 64, 65, keycap, r=0.8)


def _mouse(p: Pen, c: Colours, j: random.Random) -> None:
    q = p.turned(j.uniform(-20, 20))
    q.ellipse(50, 52, 15, 25, c.dark)
    q.ellipse(50, 51, 14, 24, c.main)
    q.line([(50, 27), (50, 44)], c.dark, 0.5)
    q.rect(48.6, 33, 51.4, 40, c.ink, r=1.2)
    q.ellipse(44, 58, 3, 9, c.light)
    q.circle(50, 66, 1.1, c.accent)


def _desk_mat(p: Pen, c: Colours, j: random.Random) -> None:
    p.rect(10, 32, 90, 72, c.dark, r=3)
    p.rect(10.5, 32.5, 89.5, 71, c.main, r=3)
    for x in range(14, 88, 3):
        p.line([(x, 35), (x + 1.2, 35)], c.light, 0.35)
        p.line([(x, 68.5), (x + 1.2, 68.5)], c.light, 0.35)
    p.ellipse(72, 52, 5, 8, c.ink)
    p.rect(22, 46, 54, 60, c.paper, r=1)
    p.line([(26, 50), (48, 50)], c.accent, 0.6)


def _notebook(p: Pen, c: Colours, j: random.Random) -> None:
    q = p.turned(j.uniform(-10, 10))
    q.rect(31, 19, 71, 80, c.paper, r=2)
    q.rect(29, 17, 70, 78, c.main, r=2.5)
    q.rect(29, 17, 33, 78, c.dark, r=1.5)
    q.rect(62, 17, 64, 78, c.accent)
    q.rect(40, 28, 60, 38, lighter(c.main, 0.55), r=1)
    q.poly([(52, 78), (55, 78), (55, 86), (53.5, 84), (52, 86)], c.accent)


def _pen(p: Pen, c: Colours, j: random.Random) -> None:
    q = p.turned(j.uniform(-40, -30))
    q.poly([(14, 50), (22, 47), (24, 50), (22, 53)], c.metal)
    q.line([(16, 50), (22, 50)], c.ink, 0.3)
    q.rect(23, 46.5, 60, 53.5, c.main, r=3.5)
    q.rect(58, 46, 88, 54, c.main, r=4)
    q.rect(58, 46, 61, 54, c.metal)
    q.rect(64, 45, 84, 46.6, c.metal, r=0.8)
    q.rect(28, 47.8, 56, 49, c.light, r=0.6)


def _organiser(p: Pen, c: Colours, j: random.Random) -> None:
    for i, x in enumerate((34, 38, 42, 46)):
        colour = (c.accent, c.ink, PALETTE[i + 3], c.main)[i]
        p.line([(x, 56), (x + i - 1.5, 22 + i * 3)], colour, 1.8)
    p.rect(54, 36, 72, 58, c.paper, r=1)
    p.line([(57, 41), (69, 41)], c.accent, 0.6)
    body = c.wood if c.main == c.wood else c.main
    p.rect(26, 50, 78, 79, darker(body, 0.18), r=2)
    p.rect(27, 51, 77, 78, body, r=1.5)
    p.rect(51, 51, 52.5, 78, darker(body, 0.18))


def _tent(p: Pen, c: Colours, j: random.Random) -> None:
    peak = j.uniform(20, 28)
    p.line([(14, 80), (50, peak)], c.ink, 0.4)
    p.line([(86, 80), (50, peak)], c.ink, 0.4)
    p.poly([(18, 79), (50, peak), (82, 79)], c.main)
    p.poly([(50, peak), (82, 79), (62, 79)], c.dark)
    p.poly([(50, peak + 14), (40, 79), (60, 79)], c.ink)
    p.poly([(50, peak + 14), (60, 79), (55, 79)], darker(c.main, 0.4))
    p.line([(50, peak - 2), (50, peak + 2)], c.metal, 1.2)


def _sleeping_bag(p: Pen, c: Colours, j: random.Random) -> None:
    p.rect(32, 30, 68, 78, c.main, r=8)
    p.ellipse(50, 30, 18, 5, c.dark)
    p.ellipse(50, 30, 14, 3.5, darker(c.main, 0.4))
    for y in range(38, 76, 7):
        p.line([(33, y), (67, y)], darker(c.main, 0.12), 0.6)
    for x in (40, 60):
        p.rect(x - 1.6, 30, x + 1.6, 78, c.ink, r=0.8)
    p.line([(50, 30), (56, 22), (54, 18)], c.accent, 0.7)
    p.circle(54, 18, 1.5, c.accent)


def _lantern(p: Pen, c: Colours, j: random.Random) -> None:
    p.arc(50, 26, 9, 10, 180, 360, c.metal, 1.4)
    p.circle(50, 52, 22, lighter(c.accent, 0.7))
    p.rect(38, 26, 62, 32, c.main, r=2)
    p.rect(39, 32, 61, 68, c.glass, r=2)
    p.rect(42, 36, 58, 64, (255, 226, 150), r=3)
    p.rect(46, 42, 54, 58, (255, 246, 210), r=2)
    for x in (39, 60):
        p.rect(x, 32, x + 1, 68, c.dark)
    p.rect(36, 68, 64, 78, c.main, r=2)
    p.rect(47, 72, 53, 74, c.dark, r=0.8)


def _camp_chair(p: Pen, c: Colours, j: random.Random) -> None:
    p.line([(32, 80), (66, 52)], c.metal, 1.4)
    p.line([(68, 80), (34, 52)], c.metal, 1.4)
    p.line([(32, 80), (30, 30)], c.metal, 1.4)
    p.line([(68, 80), (70, 30)], c.metal, 1.4)
    p.poly([(30, 30), (70, 30), (69, 50), (31, 50)], c.main)
    p.poly([(31, 50), (69, 50), (66, 58), (50, 60), (34, 58)], c.dark)
    p.rect(24, 44, 33, 46, c.ink, r=1)
    p.rect(67, 44, 76, 46, c.ink, r=1)
    p.rect(71, 44, 76, 50, c.accent, r=1)
    p.rect(40, 36, 60, 40, lighter(c.main, 0.25), r=1)


def _backpack(p: Pen, c: Colours, j: random.Random) -> None:
    p.arc(50, 22, 6, 5, 180, 360, c.ink, 1.6)
    p.rect(30, 22, 70, 80, c.dark, r=12)
    p.rect(31, 23, 69, 79, c.main, r=11)
    p.chord(50, 30, 19.5, 14, 180, 360, c.dark)
    p.rect(31, 29, 69, 33, c.dark)
    p.rect(36, 52, 64, 76, darker(c.main, 0.12), r=6)
    p.line([(38, 55), (62, 55)], c.ink, 0.6)
    p.rect(46, 40, 54, 45, c.accent, r=1)
    for x in (34, 66):
        p.rect(x - 1, 34, x + 1, 50, c.ink)


def _poles(p: Pen, c: Colours, j: random.Random) -> None:
    for angle, x in ((-12, 42), (12, 58)):
        q = p.turned(angle, (x, 50))
        q.line([(x, 26), (x, 82)], c.metal, 1.6)
        q.line([(x, 60), (x, 82)], c.ink, 1.2)
        q.rect(x - 2.4, 16, x + 2.4, 34, c.wood, r=2)
        q.rect(x - 2.6, 14, x + 2.6, 17, c.ink, r=1.2)
        q.ellipse(x, 75, 4, 1.2, c.ink)
        q.arc(x - 3, 20, 5, 8, 90, 270, c.main, 1.2)


def _bottle(p: Pen, c: Colours, j: random.Random) -> None:
    w = j.uniform(9, 12)
    p.arc(50, 16, 4, 4, 180, 360, c.ink, 1.2)
    p.rect(50 - w * 0.75, 15, 50 + w * 0.75, 27, c.ink, r=2)
    p.rect(50 - w, 26, 50 + w, 80, c.main, r=w * 0.8)
    p.rect(50 - w + 2, 32, 50 - w + 4.5, 74, c.light, r=1.2)
    p.rect(50 - w, 50, 50 + w, 56, c.accent)


def _tee(p: Pen, c: Colours, j: random.Random, long: bool = False, hood: bool = False) -> None:
    sleeve = 62 if long else 40
    body = [
        (38, 18), (44, 20), (56, 20), (62, 18), (78, 26),
        (84 if long else 86, sleeve), (76, sleeve + 2), (72, 34), (72, 80), (28, 80),
        (28, 34), (24, sleeve + 2), (16 if long else 14, sleeve), (22, 26),
    ]  # fmt: skip
    if hood:
        p.ellipse(50, 20, 13, 9, c.dark)
    p.poly(body, c.main)
    p.poly([(28, 34), (24, sleeve + 2), (16 if long else 14, sleeve), (22, 26)], c.dark)
    p.chord(50, 18, 7, 5, 0, 180, darker(c.main, 0.35))
    if long:
        p.rect(28, 76, 72, 80, darker(c.main, 0.12))
        for x0 in (14.5, 76.5):
            p.rect(x0, sleeve - 1, x0 + 8.5, sleeve + 2, darker(c.main, 0.12))
    if hood:
        p.rect(38, 58, 62, 70, darker(c.main, 0.08), r=3)
        for x in (47, 53):
            p.line([(x, 22), (x, 34)], c.paper, 0.5)


def _shirt(p: Pen, c: Colours, j: random.Random) -> None:
    _tee(p, c, j, long=True)
    p.poly([(42, 18), (50, 26), (46, 30)], c.light)
    p.poly([(58, 18), (50, 26), (54, 30)], c.light)
    p.line([(50, 26), (50, 80)], darker(c.main, 0.15), 0.5)
    for y in range(32, 78, 8):
        p.circle(51.5, y, 0.8, c.paper)
    p.rect(34, 36, 42, 44, darker(c.main, 0.08), r=0.8)


def _jacket(p: Pen, c: Colours, j: random.Random, quilted: bool = False) -> None:
    _tee(p, c, j, long=True, hood=not quilted)
    p.line([(50, 22), (50, 80)], c.ink, 0.8)
    if quilted:
        for y in range(30, 78, 8):
            p.line([(29, y), (71, y)], darker(c.main, 0.2), 0.7)
        p.rect(42, 14, 58, 22, c.main, r=4)
    else:
        for x in (34, 58):
            p.rect(x, 58, x + 8, 60, c.dark, r=0.8)


def _coat(p: Pen, c: Colours, j: random.Random) -> None:
    p.poly([(28, 34), (72, 34), (74, 86), (26, 86)], c.main)
    _tee(p, c, j, long=True)
    p.poly([(28, 76), (72, 76), (74, 86), (26, 86)], c.main)
    p.poly([(42, 18), (50, 40), (44, 44), (38, 22)], c.dark)
    p.poly([(58, 18), (50, 40), (56, 44), (62, 22)], c.dark)
    for y in (50, 60, 70):
        p.circle(46, y, 1.1, c.ink)
        p.circle(54, y, 1.1, c.ink)


def _trousers(p: Pen, c: Colours, j: random.Random, shorts: bool = False) -> None:
    bottom = 52 if shorts else 84
    p.poly([(30, 20), (70, 20), (74, bottom), (53, bottom), (50, 40), (47, bottom), (26, bottom)],
           c.main)  # fmt: skip
    p.rect(30, 16, 70, 22, c.dark, r=1)
    for x in (36, 48, 60):
        p.rect(x, 16, x + 2, 22, darker(c.main, 0.35))
    p.line([(50, 22), (50, 36)], c.dark, 0.5)
    p.circle(50, 19, 0.9, c.metal)
    p.arc(34, 22, 4, 6, 0, 90, c.dark, 0.5)
    p.arc(66, 22, 4, 6, 90, 180, c.dark, 0.5)
    if not shorts:
        p.rect(26, bottom - 3, 47, bottom, darker(c.main, 0.1))
        p.rect(53, bottom - 3, 74, bottom, darker(c.main, 0.1))


def _beanie(p: Pen, c: Colours, j: random.Random) -> None:
    if j.random() < 0.5:
        p.circle(50, 24, 7, c.accent)
    p.chord(50, 62, 26, 34, 180, 360, c.main)
    for x in range(28, 74, 4):
        p.line([(x, 36), (x, 62)], darker(c.main, 0.08), 0.5)
    p.rect(22, 58, 78, 76, c.dark, r=4)
    for x in range(25, 77, 2):
        p.line([(x, 60), (x, 74)], darker(c.main, 0.32), 0.45)


def _belt(p: Pen, c: Colours, j: random.Random) -> None:
    q = p.turned(j.uniform(-20, -8))
    leather = NAMED_COLOURS.get("Tan", c.main) if c.main == c.dark else c.main
    q.rect(14, 45, 90, 55, darker(leather, 0.2), r=4)
    q.rect(14, 45.6, 90, 54.4, leather, r=4)
    q.line([(18, 47.2), (88, 47.2)], darker(leather, 0.12), 0.3)
    for x in (62, 68, 74, 80):
        q.circle(x, 50, 1, darker(leather, 0.5))
    q.rect(20, 41, 32, 59, c.metal, r=2)
    q.rect(22.5, 43.5, 29.5, 56.5, leather, r=1)
    q.line([(22, 50), (34, 50)], c.metal, 1.1)
    q.rect(36, 44, 39, 56, darker(leather, 0.2), r=1)


def _scarf(p: Pen, c: Colours, j: random.Random) -> None:
    p.arc(50, 30, 20, 12, 180, 360, c.main, 8)
    p.poly([(30, 30), (42, 30), (44, 78), (32, 78)], c.main)
    p.poly([(58, 30), (70, 30), (68, 72), (56, 72)], darker(c.main, 0.12))
    for y in range(40, 72, 10):
        p.rect(30.5, y, 43.5, y + 3, c.accent)
        p.rect(56.5, y + 4, 69.5, y + 7, darker(c.accent, 0.12))
    for x in range(33, 44, 2):
        p.line([(x, 78), (x, 83)], c.main, 0.6)
    for x in range(57, 68, 2):
        p.line([(x, 72), (x, 77)], darker(c.main, 0.12), 0.6)


def _socks(p: Pen, c: Colours, j: random.Random) -> None:
    for x, colour in ((34, c.dark), (52, c.main)):
        path = [(x, 22), (x, 58), (x + 4, 66), (x + 20, 72)]
        p.line(path, darker(colour, 0.15), 13)
        p.line(path, colour, 11.6)
        p.rect(x - 6.5, 16, x + 6.5, 26, c.accent, r=1.5)
        for y in range(18, 26, 2):
            p.line([(x - 5, y), (x + 5, y)], darker(c.accent, 0.15), 0.35)
        p.circle(x + 21, 72, 5.8, c.accent)
        p.pie(x + 1, 63, 6.2, 6.2, 90, 200, c.accent)
        for y in range(32, 56, 5):
            p.line([(x - 4.5, y), (x + 4.5, y)], lighter(colour, 0.15), 0.6)


def _sneaker(p: Pen, c: Colours, j: random.Random, runner: bool = False) -> None:
    sole = c.accent if runner else c.paper
    top = 66 if runner else 69  # where the upper meets the sole
    p.rect(12, top - 2, 88, 78, darker(sole, 0.12), r=5)
    p.rect(12, top - 2, 88, 75, sole, r=5)
    if runner:
        p.line([(16, 72), (84, 72)], lighter(sole, 0.35), 0.8)
    # Toe low and round on the left, rising over the laces to the collar and heel.
    upper = [(13, top), (14, top - 6), (20, top - 11), (32, top - 14), (44, top - 20),
             (54, top - 28), (60, top - 31), (70, top - 28), (78, top - 31), (86, top - 29),
             (88, top - 16), (88, top)]  # fmt: skip
    p.poly(upper, c.main)
    p.pie(22, top, 10, 11, 180, 270, darker(c.main, 0.12))  # toe cap
    p.poly(
        [(60, top - 31), (70, top - 28), (78, top - 31), (74, top - 26), (64, top - 26)], c.ink
    )  # fmt: skip  (the opening for the foot)
    p.poly([(84, top - 30), (89, top - 31), (89, top - 12), (86, top - 12)], c.accent)
    laces = c.paper if sum(c.main) < 540 else c.dark
    for i in range(5):
        x, y = 40 + i * 4.2, top - 17 - i * 2.4
        p.line([(x - 1.5, y - 1.5), (x + 2.5, y + 2)], laces, 0.9)
    stripe = c.paper if runner else c.accent
    p.line([(46, top - 4), (58, top - 14), (70, top - 20)], stripe, 2.2)
    if runner:
        for x in range(22, 40, 4):
            for y in (top - 8, top - 4):
                p.circle(x, y, 0.6, lighter(c.main, 0.3))


def _boot(p: Pen, c: Colours, j: random.Random, chelsea: bool = False) -> None:
    p.rect(18, 72, 80, 80, c.ink, r=2)
    if not chelsea:
        for x in range(20, 80, 5):
            p.rect(x, 78, x + 3, 81, c.ink)
    upper = [(20, 72), (22, 60), (40, 54), (48, 46), (50, 16), (74, 16), (76, 60), (80, 72)]
    p.poly(upper, c.main)
    p.poly([(20, 72), (22, 60), (34, 56), (36, 72)], darker(c.main, 0.15))
    if chelsea:
        p.poly([(56, 26), (68, 26), (66, 52), (58, 52)], c.ink)
        p.rect(70, 10, 76, 20, c.dark, r=1.5)
    else:
        for y in range(22, 52, 6):
            p.circle(52, y, 1, c.metal)
            p.line([(52, y), (58, y + 3)], c.accent, 0.7)
        p.rect(50, 16, 74, 20, c.dark, r=1)


def _yoga_mat(p: Pen, c: Colours, j: random.Random) -> None:
    p.rect(30, 40, 76, 72, c.main)
    p.ellipse(76, 56, 6, 16, c.dark)
    p.ellipse(30, 56, 8, 16, c.dark)
    for r in (7, 5, 3, 1.5):
        p.ellipse(30, 56, r, r * 2, c.main if r % 2 else c.dark)
    for x in (44, 62):
        p.rect(x, 39, x + 3, 73, c.accent)
    p.rect(30, 40, 76, 43, c.light)


def _blocks(p: Pen, c: Colours, j: random.Random) -> None:
    wood = c.wood
    for x, y, shade in ((22, 52, 0.0), (46, 38, 0.1)):
        p.rect(x, y, x + 32, y + 28, darker(wood, shade), r=2)
        p.poly([(x, y), (x + 8, y - 6), (x + 40, y - 6), (x + 32, y)], lighter(wood, 0.18))
        p.poly([(x + 32, y), (x + 40, y - 6), (x + 40, y + 22), (x + 32, y + 28)],
               darker(wood, 0.22))  # fmt: skip
        for _ in range(16):
            p.circle(x + j.uniform(2, 30), y + j.uniform(2, 26), 0.4, darker(wood, 0.3))


def _bands(p: Pen, c: Colours, j: random.Random) -> None:
    for i, colour in enumerate((c.main, c.accent, darker(c.main, 0.3), lighter(c.accent, 0.3))):
        p.arc(36 + i * 9, 52 + (i % 2) * 6, 18, 11, 0, 360, colour, 4)


def _roller(p: Pen, c: Colours, j: random.Random) -> None:
    p.rect(26, 44, 74, 76, c.main)
    p.ellipse(74, 60, 7, 16, c.dark)
    p.ellipse(74, 60, 3, 7, c.ink)
    p.ellipse(26, 60, 7, 16, c.main)
    for row in range(4):
        for col in range(8):
            p.rect(29 + col * 6, 47 + row * 7.5, 32 + col * 6, 51 + row * 7.5, c.dark, r=1)


def _dumbbell(p: Pen, c: Colours, j: random.Random) -> None:
    for y, shade in ((64, 0.0), (46, 0.15)):
        p.rect(28, y - 2.5, 72, y + 2.5, c.metal, r=1.2)
        for x in range(34, 66, 3):
            p.line([(x, y - 2), (x, y + 2)], darker(c.metal, 0.2), 0.3)
        for x in (24, 76):
            p.poly(_ngon(x, y, 10, 6, 30), darker(c.ink, shade))
            p.poly(_ngon(x, y, 7, 6, 30), c.main)


def _kettlebell(p: Pen, c: Colours, j: random.Random) -> None:
    p.arc(50, 38, 14, 14, 180, 360, c.dark, 6)
    p.rect(36, 36, 39, 48, c.dark)
    p.rect(61, 36, 64, 48, c.dark)
    p.ellipse(50, 60, 22, 20, c.dark)
    p.rect(34, 74, 66, 80, c.dark, r=2)
    p.ellipse(50, 60, 20, 18, c.main)
    p.circle(50, 62, 6, c.accent)
    p.arc(50, 60, 16, 14, 200, 250, lighter(c.main, 0.35), 1.4)


def _bench(p: Pen, c: Colours, j: random.Random) -> None:
    p.line([(24, 80), (30, 64), (70, 64), (76, 80)], c.metal, 2)
    p.line([(50, 64), (50, 80)], c.metal, 2)
    p.rect(18, 58, 58, 64, c.dark, r=3)
    p.rect(18, 57, 58, 62, c.main, r=3)
    p.turned(-28, (60, 60)).rect(58, 56, 92, 62, c.main, r=3)
    p.line([(62, 60), (70, 68)], c.metal, 1.4)


def _helmet(p: Pen, c: Colours, j: random.Random) -> None:
    p.chord(50, 62, 30, 34, 180, 360, c.dark)
    p.chord(50, 62, 28.5, 32.5, 180, 360, c.main)
    for x in (36, 45, 55, 64):
        p.rect(x - 2, 36, x + 2, 50, c.ink, r=2)
    p.rect(19, 60, 81, 64, c.ink, r=2)
    p.rect(21, 60, 40, 62, c.accent, r=1)
    p.line([(30, 64), (42, 80), (58, 80), (70, 64)], c.ink, 0.8)


def _bike_light(p: Pen, c: Colours, j: random.Random) -> None:
    for x, lens in ((36, (252, 250, 230)), (64, (224, 52, 52))):
        p.rect(x - 10, 28, x + 10, 72, c.dark, r=8)
        p.rect(x - 9, 29, x + 9, 71, c.main, r=7)
        p.rect(x - 6, 32, x + 6, 52, lens, r=5)
        p.rect(x - 3, 60, x + 3, 63, c.ink, r=1)
        p.rect(x - 12, 75, x + 12, 79, c.ink, r=2)


def _game_box(p: Pen, c: Colours, j: random.Random) -> None:
    p.rect(20, 22, 80, 74, darker(c.main, 0.3), r=1.5)
    p.rect(20, 20, 80, 72, c.main, r=1.5)
    p.rect(24, 24, 76, 36, c.paper, r=1)
    p.rect(28, 28, 60, 32, c.ink, r=0.5)
    motif = j.randint(0, 2)
    if motif == 0:
        p.poly([(24, 72), (38, 46), (50, 60), (60, 44), (76, 72)], c.accent)
    elif motif == 1:
        for i in range(5):
            p.circle(
                30 + i * 10, 54 + (i % 2) * 6, 5, c.accent if i % 2 else lighter(c.accent, 0.3)
            )
    else:
        p.circle(50, 56, 12, c.accent)
        p.circle(50, 56, 6, lighter(c.accent, 0.5))
    for i, colour in enumerate((c.accent, c.paper)):
        x = 68 + i * 8
        meeple = [(x, 72), (x - 4, 72), (x - 3, 66), (x - 6, 64), (x - 5, 61), (x - 1.5, 61),
                  (x - 2.5, 58), (x + 0, 55), (x + 2.5, 58), (x + 1.5, 61), (x + 5, 61),
                  (x + 6, 64), (x + 3, 66), (x + 4, 72)]  # fmt: skip
        p.poly([(px, py + 8) for px, py in meeple], colour)


def _chess(p: Pen, c: Colours, j: random.Random) -> None:
    for x, colour in ((38, WOODS["Maple"]), (62, darker(c.wood, 0.45))):
        tall = x > 50
        top = 20 if tall else 38
        p.ellipse(x, 78, 12, 3, darker(colour, 0.2))
        p.rect(x - 11, 72, x + 11, 78, colour, r=2)
        p.poly([(x - 7, 72), (x - 3.5, top + 14), (x + 3.5, top + 14), (x + 7, 72)], colour)
        p.rect(x - 6, top + 11, x + 6, top + 14, darker(colour, 0.1), r=1)
        if tall:
            p.poly([(x - 6, top + 11), (x - 4, top + 2), (x + 4, top + 2), (x + 6, top + 11)],
                   colour)  # fmt: skip
            p.rect(x - 1, top - 6, x + 1, top + 2, colour)
            p.rect(x - 3.5, top - 3.5, x + 3.5, top - 1.5, colour)
        else:
            p.circle(x, top + 5, 6.5, colour)


def _puzzle_piece(p: Pen, x: float, y: float, s: float, colour: RGB) -> None:
    p.rect(x, y, x + s, y + s, colour, r=s * 0.08)
    p.circle(x + s / 2, y - s * 0.12, s * 0.2, colour)
    p.circle(x + s + s * 0.12, y + s / 2, s * 0.2, colour)


def _puzzle(p: Pen, c: Colours, j: random.Random) -> None:
    p.rect(18, 20, 70, 64, darker(c.main, 0.3), r=1.5)
    p.rect(18, 18, 70, 62, c.main, r=1.5)
    p.rect(22, 22, 66, 52, lighter(c.accent, 0.4))
    p.circle(j.uniform(30, 58), 34, 6, c.accent)
    p.poly([(22, 52), (34, 38), (46, 48), (56, 36), (66, 52)], darker(c.accent, 0.2))
    p.rect(22, 54, 50, 58, c.paper, r=0.8)
    _puzzle_piece(p, 62, 64, 11, c.accent)
    _puzzle_piece(p, 44, 68, 10, lighter(c.accent, 0.3))


def _cube(p: Pen, c: Colours, j: random.Random) -> None:
    cx, cy, s = 50, 52, 26
    top = [(cx, cy - s), (cx + s * 0.87, cy - s / 2), (cx, cy), (cx - s * 0.87, cy - s / 2)]
    left = [(cx - s * 0.87, cy - s / 2), (cx, cy), (cx, cy + s), (cx - s * 0.87, cy + s / 2)]
    right = [(cx, cy), (cx + s * 0.87, cy - s / 2), (cx + s * 0.87, cy + s / 2), (cx, cy + s)]
    for face, shade in ((top, lighter(c.wood, 0.2)), (left, c.wood), (right, darker(c.wood, 0.2))):
        p.poly(face, shade)
        a, b, _, d = face
        for t in (1 / 3, 2 / 3):
            p.line([(a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t),
                    (d[0] + (face[2][0] - d[0]) * t, d[1] + (face[2][1] - d[1]) * t)],
                   darker(c.wood, 0.35), 0.5)  # fmt: skip
            p.line([(a[0] + (d[0] - a[0]) * t, a[1] + (d[1] - a[1]) * t),
                    (b[0] + (face[2][0] - b[0]) * t, b[1] + (face[2][1] - b[1]) * t)],
                   darker(c.wood, 0.35), 0.5)  # fmt: skip


def _cards(p: Pen, c: Colours, j: random.Random) -> None:
    for i, angle in enumerate((-24, -8, 8, 24)):
        q = p.turned(angle, (50, 84))
        q.rect(38, 26, 62, 62, darker(c.paper, 0.15), r=2.5)
        q.rect(38.5, 26.5, 61.5, 61.5, c.paper, r=2.2)
        q.rect(41, 29, 59, 59, c.main if i % 2 else c.accent, r=1.5)
        q.circle(50, 44, 4.5, c.paper)
        q.circle(50, 44, 2.5, c.accent if i % 2 else c.main)


def _ngon(cx: float, cy: float, r: float, n: int, start: float) -> list[Point]:
    angles = [math.radians(start + 360 * i / n) for i in range(n)]
    return [(cx + r * math.cos(a), cy + r * math.sin(a)) for a in angles]


def _dice(p: Pen, c: Colours, j: random.Random) -> None:
    p.poly(_ngon(36, 58, 17, 6, 30), c.dark)
    p.poly(_ngon(36, 58, 15.5, 6, 30), c.main)
    p.poly(_ngon(36, 60, 9, 3, -90), lighter(c.main, 0.25))
    p.rect(58, 54, 80, 76, c.dark, r=3)
    p.rect(58.8, 54.8, 79.2, 75.2, c.main, r=2.6)
    for px, py in ((63, 59), (69, 65), (75, 71)):
        p.circle(px, py, 1.5, c.paper)
    p.poly(_ngon(62, 36, 13, 3, -90), c.dark)
    p.poly(_ngon(62, 36.5, 11, 3, -90), lighter(c.main, 0.15))


def _jar(p: Pen, c: Colours, j: random.Random) -> None:
    p.rect(30, 46, 70, 78, c.main, r=5)
    p.rect(28, 38, 72, 48, c.dark, r=2.5)
    p.rect(34, 56, 66, 70, c.paper, r=1)
    p.rect(38, 60, 58, 62, c.accent, r=0.5)
    p.rect(38, 64, 50, 65.5, c.ink, r=0.5)
    p.rect(32, 50, 35, 74, lighter(c.main, 0.35), r=1.5)


def _dropper(p: Pen, c: Colours, j: random.Random) -> None:
    amber = (170, 102, 46)
    p.rect(38, 44, 62, 80, amber, r=4)
    p.rect(38, 56, 62, 72, c.paper)
    p.rect(42, 60, 58, 62, c.main, r=0.5)
    p.rect(42, 64, 52, 65.5, c.ink, r=0.5)
    p.rect(44, 36, 56, 45, c.metal, r=1)
    p.rect(45.5, 20, 54.5, 36, c.ink, r=4.5)
    p.rect(40, 47, 42.5, 76, lighter(amber, 0.3), r=1)


def _pump_bottle(p: Pen, c: Colours, j: random.Random, flip: bool = False) -> None:
    w = j.uniform(12, 15)
    if flip:
        p.rect(50 - w * 0.6, 20, 50 + w * 0.6, 30, c.ink, r=2)
    else:
        p.rect(48.5, 18, 51.5, 30, c.ink)
        p.rect(38, 16, 53, 21, c.ink, r=1.5)
        p.rect(44, 26, 56, 32, c.ink, r=1)
    p.rect(50 - w, 30, 50 + w, 80, c.main, r=6)
    p.rect(50 - w + 4, 46, 50 + w - 4, 68, c.paper, r=1)
    p.rect(50 - w + 7, 51, 50 + w - 7, 53, c.accent, r=0.5)
    p.rect(50 - w + 7, 57, 50 + w - 10, 58.5, c.ink, r=0.5)
    p.rect(50 - w + 2, 34, 50 - w + 4.5, 76, lighter(c.main, 0.35), r=1.2)


def _tube(p: Pen, c: Colours, j: random.Random) -> None:
    q = p.turned(j.uniform(-14, 14), (50, 60))
    q.rect(36, 22, 64, 26, darker(c.main, 0.15), r=0.5)
    q.poly([(36, 26), (64, 26), (60, 68), (40, 68)], c.main)
    q.rect(40, 40, 60, 54, c.paper, r=1)
    q.rect(43, 44, 57, 46, c.accent, r=0.5)
    q.rect(42, 68, 58, 80, c.ink, r=2)


def _plant_pot(p: Pen, c: Colours, j: random.Random) -> None:
    pot = NAMED_COLOURS["Terracotta"] if c.main == c.wood else c.main
    for i in range(7):
        angle = -150 + i * 20 + j.uniform(-6, 6)
        length = j.uniform(18, 30)
        a = math.radians(angle)
        tip = (50 + length * math.cos(a), 46 + length * math.sin(a))
        mid = (50 + length * 0.5 * math.cos(a), 46 + length * 0.5 * math.sin(a))
        normal = (-math.sin(a) * 5, math.cos(a) * 5)
        leaf = [(50, 46), (mid[0] + normal[0], mid[1] + normal[1]), tip,
                (mid[0] - normal[0], mid[1] - normal[1])]  # fmt: skip
        p.poly(leaf, c.green if i % 2 else darker(c.green, 0.2))
    p.poly([(32, 52), (68, 52), (63, 80), (37, 80)], pot)
    p.rect(30, 48, 70, 55, darker(pot, 0.12), r=1)
    p.poly([(36, 56), (40, 56), (41, 78), (38.5, 78)], lighter(pot, 0.25))


def _watering_can(p: Pen, c: Colours, j: random.Random) -> None:
    body = c.metal if c.main == c.metal else c.main
    p.line([(34, 66), (16, 38)], darker(body, 0.1), 3)
    p.rect(10, 33, 18, 39, darker(body, 0.25), r=2)
    p.arc(54, 44, 16, 14, 180, 360, darker(body, 0.2), 2.4)
    p.rect(34, 44, 74, 80, body, r=4)
    p.rect(37, 48, 40, 76, lighter(body, 0.3), r=1.5)
    p.ellipse(54, 44, 20, 3, darker(body, 0.15))
    for y in (56, 68):
        p.line([(34, y), (74, y)], darker(body, 0.1), 0.5)


def _shears(p: Pen, c: Colours, j: random.Random) -> None:
    handle = c.main if c.main != c.metal else c.accent
    for angle in (-14, 14):
        q = p.turned(angle, (50, 46))
        q.poly([(47, 46), (50, 14), (53.5, 20), (53, 46)], c.metal)
        q.rect(46, 46, 54, 82, handle, r=4)
        q.rect(47.5, 50, 49.5, 78, lighter(handle, 0.3), r=1)
    p.circle(50, 46, 3, c.ink)
    p.circle(50, 46, 1.4, c.metal)
    p.arc(50, 64, 6, 4, 200, 340, c.metal, 0.7)


def _bird_feeder(p: Pen, c: Colours, j: random.Random) -> None:
    p.line([(50, 4), (50, 22)], c.ink, 0.5)
    p.rect(34, 36, 66, 76, c.wood)
    p.poly([(28, 40), (50, 20), (72, 40), (66, 42), (50, 28), (34, 42)], c.main)
    p.circle(50, 50, 5, darker(c.wood, 0.55))
    p.line([(50, 62), (50, 66)], c.ink, 1)
    p.rect(30, 74, 70, 79, darker(c.wood, 0.2), r=1)
    for _ in range(10):
        p.circle(j.uniform(36, 64), j.uniform(72, 74), 0.8, (214, 180, 120))


def _pet_bed(p: Pen, c: Colours, j: random.Random) -> None:
    p.ellipse(50, 64, 36, 16, c.dark)
    p.ellipse(50, 62, 35, 15, c.main)
    p.ellipse(50, 64, 27, 10, lighter(c.main, 0.4))
    p.chord(50, 70, 14, 8, 180, 360, c.main)
    p.ellipse(56, 62, 8, 3.6, c.accent)


def _pet_bowl(p: Pen, c: Colours, j: random.Random) -> None:
    p.poly([(24, 60), (76, 60), (70, 80), (30, 80)], c.main)
    p.ellipse(50, 60, 26, 6, darker(c.main, 0.15))
    p.ellipse(50, 60, 23, 4.6, (150, 96, 58))
    for _ in range(18):
        p.circle(j.uniform(32, 68), j.uniform(57, 61), 1.3, (120, 74, 42))
    p.rect(28, 66, 72, 70, c.accent)
    p.poly([(30, 62), (34, 62), (36, 78), (33, 78)], lighter(c.main, 0.3))


def _scratcher(p: Pen, c: Colours, j: random.Random) -> None:
    sisal = (206, 176, 124)
    p.rect(22, 70, 78, 80, darker(c.main, 0.15), r=2)
    p.rect(22, 68, 78, 76, c.main, r=2)
    p.rect(43, 22, 57, 70, sisal)
    for y in range(24, 70, 2):
        p.line([(43, y), (57, y)], darker(sisal, 0.15), 0.35)
    p.rect(34, 16, 66, 23, c.main, r=2)
    p.line([(62, 23), (64, 44)], c.ink, 0.4)
    p.circle(64, 46, 3, c.accent)


def _leash(p: Pen, c: Colours, j: random.Random) -> None:
    for i in range(4):
        p.arc(
            50 + i * 2, 54 + i * 1.5, 22 - i * 2, 14 - i, 0, 360, c.main if i % 2 else c.dark, 2.6
        )
    p.arc(34, 34, 9, 10, 0, 360, c.main, 3.2)
    p.rect(70, 60, 80, 66, c.metal, r=2.5)
    p.arc(83, 63, 3.5, 3.5, 270, 450, c.metal, 1.4)
    for x in range(30, 72, 6):
        p.circle(x, 67.5, 0.6, c.paper)


def _pet_ball(p: Pen, c: Colours, j: random.Random) -> None:
    p.circle(50, 54, 24, c.dark)
    p.circle(50, 53, 23, c.main)
    p.arc(30, 53, 14, 26, -70, 70, c.accent, 2.4)
    p.arc(70, 53, 14, 26, 110, 250, c.accent, 2.4)
    p.circle(50, 50, 4, c.ink)
    p.arc(42, 40, 8, 8, 190, 260, lighter(c.main, 0.4), 1.6)


def _headlamp(p: Pen, c: Colours, j: random.Random) -> None:
    p.arc(50, 54, 30, 17, 0, 360, c.main, 3.2)
    for x in range(24, 78, 6):
        p.circle(x, 71, 0.5, lighter(c.main, 0.3))
    p.rect(38, 42, 62, 62, c.dark, r=5)
    p.rect(39, 43, 61, 61, c.ink, r=4.5)
    p.circle(50, 52, 7, c.metal)
    p.circle(50, 52, 5, (255, 250, 220))
    p.rect(56, 44.5, 59, 46.5, c.accent, r=0.8)


SHAPES: dict[str, Draw] = {
    "headphones": _headphones,
    "earbuds": _earbuds,
    "speaker": _speaker,
    "soundbar": _soundbar,
    "turntable": _turntable,
    "amplifier": _amplifier,
    "microphone": _microphone,
    "pan": _pan,
    "wok": lambda p, c, j: _pan(p, c, j, wok=True),
    "pot": _pot,
    "saucepan": lambda p, c, j: _pot(p, c, j, long_handle=True),
    "knife": _knife,
    "bread_knife": lambda p, c, j: _knife(p, c, j, bread=True),
    "board": _board,
    "kettle": _kettle,
    "grinder": _grinder,
    "press": _press,
    "mugs": _mugs,
    "teapot": _teapot,
    "mixer": _mixer,
    "blender": _blender,
    "toaster": _toaster,
    "espresso": _espresso,
    "lamp": _lamp,
    "floor_lamp": _floor_lamp,
    "pendant": _pendant,
    "folded": _folded,
    "cushion": _cushion,
    "vase": _vase,
    "candle": _candle,
    "clock": _clock,
    "frame": _frame,
    "desk": _desk,
    "chair": _chair,
    "stand": _stand,
    "keyboard": _keyboard,
    "mouse": _mouse,
    "desk_mat": _desk_mat,
    "notebook": _notebook,
    "pen": _pen,
    "organiser": _organiser,
    "tent": _tent,
    "sleeping_bag": _sleeping_bag,
    "lantern": _lantern,
    "camp_chair": _camp_chair,
    "backpack": _backpack,
    "poles": _poles,
    "headlamp": _headlamp,
    "bottle": _bottle,
    "tee": _tee,
    "sweater": lambda p, c, j: _tee(p, c, j, long=True),
    "hoodie": lambda p, c, j: _tee(p, c, j, long=True, hood=True),
    "shirt": _shirt,
    "jacket": _jacket,
    "puffer": lambda p, c, j: _jacket(p, c, j, quilted=True),
    "coat": _coat,
    "trousers": _trousers,
    "shorts": lambda p, c, j: _trousers(p, c, j, shorts=True),
    "beanie": _beanie,
    "belt": _belt,
    "scarf": _scarf,
    "socks": _socks,
    "sneaker": _sneaker,
    "runner": lambda p, c, j: _sneaker(p, c, j, runner=True),
    "boot": _boot,
    "chelsea": lambda p, c, j: _boot(p, c, j, chelsea=True),
    "yoga_mat": _yoga_mat,
    "blocks": _blocks,
    "bands": _bands,
    "roller": _roller,
    "dumbbell": _dumbbell,
    "kettlebell": _kettlebell,
    "bench": _bench,
    "helmet": _helmet,
    "bike_light": _bike_light,
    "game_box": _game_box,
    "chess": _chess,
    "puzzle": _puzzle,
    "cube": _cube,
    "cards": _cards,
    "dice": _dice,
    "jar": _jar,
    "dropper": _dropper,
    "pump_bottle": _pump_bottle,
    "bottle_flip": lambda p, c, j: _pump_bottle(p, c, j, flip=True),
    "tube": _tube,
    "plant_pot": _plant_pot,
    "watering_can": _watering_can,
    "shears": _shears,
    "bird_feeder": _bird_feeder,
    "pet_bed": _pet_bed,
    "pet_bowl": _pet_bowl,
    "scratcher": _scratcher,
    "leash": _leash,
    "pet_ball": _pet_ball,
}

# Seen from above (a drop shadow under the outline) rather than standing on the floor.
FLAT_LAY = frozenset(
    {"turntable", "pan", "wok", "board", "keyboard", "mouse", "desk_mat", "notebook", "clock",
     "frame", "cards", "knife", "bread_knife", "pen", "belt", "pet_ball", "leash", "bands"}
)  # fmt: skip


# ── Composition ────────────────────────────────────────────────────────────────


def _hsv(hue: float, saturation: float, value: float) -> RGB:
    r, g, b = colorsys.hsv_to_rgb((hue % 360) / 360, saturation, value)
    return (round(r * 255), round(g * 255), round(b * 255))


def _backdrop(top: RGB, bottom: RGB) -> Image.Image:
    """A vertical gradient (a one-pixel column stretched sideways: fast)."""
    column = Image.new("RGB", (1, 256))
    column.putdata([mix(top, bottom, y / 255) for y in range(256)])
    column = column.resize((1, CANVAS), Image.Resampling.BILINEAR)
    return column.resize((CANVAS, CANVAS), Image.Resampling.NEAREST)


def _shadow(  # noqa: PLR0917
    canvas: Image.Image,
    illustration: Illustration,
    colours: Colours,
    shade: RGB,
    scale: float,
    offset: Point,
) -> None:
    """A soft shadow: under the outline of things seen from above, an ellipse on the floor
    under things that stand. Drawn small, blurred, then enlarged: cheap and soft."""
    small = 160  # CANVAS is a multiple of it
    if illustration.shape in FLAT_LAY:
        layer = Image.new("RGBA", (small, small), (0, 0, 0, 0))
        pen = Pen(ImageDraw.Draw(layer), small / 100, scale, (offset[0] + 1.2, offset[1] + 2.2))
        SHAPES[illustration.shape](pen, colours, random.Random(illustration.sku))  # noqa: S311
        mask = layer.getchannel("A").point([round(v * 0.42) for v in range(256)])
        blur = 2.5
    else:
        mask = Image.new("L", (small, small), 0)
        k = small / 100
        x0, y0 = offset[0] + 50 - 30 * scale, offset[1] + 50 + 27.5 * scale
        x1, y1 = offset[0] + 50 + 30 * scale, offset[1] + 50 + 33.5 * scale
        ImageDraw.Draw(mask).ellipse((x0 * k, y0 * k, x1 * k, y1 * k), fill=150)
        blur = 2.8
    mask = mask.filter(ImageFilter.GaussianBlur(blur))
    box = mask.getbbox()
    if box is None:
        return
    # Enlarge only the part that has a shadow.
    factor = CANVAS // small
    region = mask.crop(box).resize(
        ((box[2] - box[0]) * factor, (box[3] - box[1]) * factor), Image.Resampling.BILINEAR
    )
    canvas.paste(shade, (box[0] * factor, box[1] * factor), mask=region)


def _compose(illustration: Illustration, colours: Colours, view: int) -> Image.Image:
    digest = hashlib.sha256(illustration.sku.encode()).digest()
    hue = illustration.hue + (digest[2] % 24) - 12
    if view == 0:
        top, bottom = _hsv(hue, 0.10, 0.98), _hsv(hue, 0.20, 0.90)
        blob = _hsv(hue, 0.06, 1.0)
    else:
        accent_hue = colorsys.rgb_to_hsv(*(v / 255 for v in colours.accent))[0] * 360
        top, bottom = _hsv(accent_hue, 0.16, 0.96), _hsv(accent_hue, 0.26, 0.88)
        blob = _hsv(accent_hue, 0.10, 0.99)
    canvas = _backdrop(top, bottom)
    draw = ImageDraw.Draw(canvas)
    unit = CANVAS / 100
    if view == 0:
        draw.ellipse((14 * unit, 10 * unit, 86 * unit, 82 * unit), fill=blob)
    else:
        dot = mix(top, bottom, 1.4)
        for row in range(11):
            for col in range(11):
                x, y = (col * 10 + 5 + (row % 2) * 5) * unit, (row * 10 + 3) * unit
                draw.ellipse((x - 5, y - 5, x + 5, y + 5), fill=dot)
        draw.rounded_rectangle((12 * unit, 12 * unit, 88 * unit, 88 * unit), 6 * unit, fill=blob)
    scale, offset = (1.0, (0.0, 0.0)) if view == 0 else (0.86, (0.0, 2.0))
    _shadow(canvas, illustration, colours, darker(bottom, 0.3), scale, offset)
    pen = Pen(draw, unit, scale=scale, offset=offset)
    SHAPES[illustration.shape](pen, colours, random.Random(illustration.sku))  # noqa: S311  (not security)
    return canvas


def render_views(illustration: Illustration) -> list[Image.Image]:
    """One to three 800×800 RGB pictures of the product."""
    colours = colours_for(illustration)
    main = _compose(illustration, colours, 0)
    views = [main.reduce(SUPERSAMPLE)]
    if illustration.views >= 2:
        second = _compose(illustration, colours, 1).reduce(SUPERSAMPLE)
        views.append(second.transpose(Image.Transpose.FLIP_LEFT_RIGHT))
    if illustration.views >= 3:
        # A close-up: a 1.4× crop around a point near the middle.
        digest = hashlib.sha256(illustration.sku.encode()).digest()
        side = round(CANVAS / 1.4)
        cx = CANVAS / 2 + (digest[3] % 21 - 10) * CANVAS / 200
        cy = CANVAS / 2 + (digest[4] % 21 - 10) * CANVAS / 200
        left = round(min(max(cx - side / 2, 0), CANVAS - side))
        top = round(min(max(cy - side / 2, 0), CANVAS - side))
        crop = main.crop((left, top, left + side, top + side))
        views.append(crop.resize((SIZE, SIZE), Image.Resampling.BOX))
    return views


# Pictures depend only on the illustration and this drawing code (and Pillow's encoder):
# a note of what was drawn lets a re-seed into an empty database skip drawing again.
_DRAWING_VERSION = hashlib.sha256(Path(__file__).read_bytes() + PIL.__version__.encode())
CACHE_FOLDER = "demo-cache"  # inside the media folder; never served (not an image)


def _drawn_before(storage: LocalMediaStorage, note: Path) -> list[str] | None:
    try:
        keys = note.read_text().split()
    except OSError:
        return None
    if not keys or not all(storage.exists(key) for key in keys):
        return None
    return [storage.url(key) for key in keys]


def store_product_images(illustration: Illustration, media_dir: str) -> list[str]:
    """Draw, store (WebP, content-addressed) and thumbnail a product's pictures; their URLs.

    Takes the media folder rather than reading settings, so it can run in a worker
    process of a pool."""
    storage = LocalMediaStorage(Path(media_dir))
    recipe = _DRAWING_VERSION.copy()
    recipe.update(repr(illustration).encode())
    digest = recipe.hexdigest()[:32]
    note = Path(media_dir) / CACHE_FOLDER / digest[:2] / f"{digest}.txt"
    if (urls := _drawn_before(storage, note)) is not None:
        return urls
    keys = []
    for image in render_views(illustration):
        data = encode_webp(image, quality=84, method=2)
        key = content_key(data, "webp")
        if not storage.exists(key):
            storage.save(key, data, "image/webp")
        store_thumbnails(key, image, storage=storage, data=data, method=2)
        keys.append(key)
    note.parent.mkdir(parents=True, exist_ok=True)
    note.write_text("\n".join(keys))
    return [storage.url(key) for key in keys]
