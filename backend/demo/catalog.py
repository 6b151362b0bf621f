"""A realistic, deterministic demo catalog: a category tree, brands and generated products.

Products are built from brands × product lines × product types × attribute values, with
prices, stock and descriptions drawn from a random generator seeded per leaf category, so
the same (seed, size) always gives the same catalog, and a smaller catalog is (up to
rounding) the first products of each category of a larger one: seeding 100,000 products
over the default 1,000 only adds.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from backend.catalog.services import product_slug

DEFAULT_SEED = 20231026
DEFAULT_SIZE = 1_000
MAX_SIZE = 100_000

Attributes = Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class DemoBrand:
    name: str
    price_factor: float  # value 0.8, mid-range 1.0, premium 1.35
    story: str  # one sentence for descriptions


@dataclass(frozen=True)
class ProductType:
    name: str
    shape: str  # which illustration `backend.demo.images` draws
    price: tuple[int, int]  # typical price range in whole currency units
    blurb: str  # the description's opening sentence
    variant: str | None = None  # the attribute named in the product name ("…, Slate")
    # Added to (or, with an empty tuple, removed from) the category's attributes.
    attributes: Attributes = field(default_factory=dict)


@dataclass(frozen=True)
class DemoCategory:
    name: str
    slug: str
    description: str
    parent: str | None = None  # parent slug
    code: str = ""  # SKU prefix, leaves only
    weight: int = 0  # share of the products, leaves only
    brands: tuple[str, ...] = ()
    lines: tuple[str, ...] = ()
    types: tuple[ProductType, ...] = ()
    attributes: Attributes = field(default_factory=dict)
    hue: int = 0  # background hue of the illustrations (degrees)

    @property
    def is_leaf(self) -> bool:
        return bool(self.types)


@dataclass(frozen=True, slots=True)
class DemoVariant:
    sku: str
    option_values: tuple[str, ...]  # in the product's option order
    price: Decimal
    stock_quantity: int


@dataclass(frozen=True, slots=True)
class DemoProduct:
    category_slug: str
    sku: str
    slug: str
    name: str
    description: str
    brand: str
    price: Decimal
    stock_quantity: int
    attributes: dict[str, str]
    shape: str
    hue: int
    image_count: int  # 1–3 illustrations
    age_minutes: int  # how long ago it was "added" (spreads `created_at` over a year)
    # Clothing, shoes and some textiles come in sizes (and colours): (option, values).
    options: tuple[tuple[str, tuple[str, ...]], ...] = ()
    variants: tuple[DemoVariant, ...] = ()

    @property
    def colours(self) -> tuple[str, ...]:
        """The colours it comes in, when Colour is one of its options (one picture each)."""
        return next((values for name, values in self.options if name == "Colour"), ())


def _brand(name: str, tier: str, story: str) -> DemoBrand:
    return DemoBrand(name, {"value": 0.8, "mid": 1.0, "premium": 1.35}[tier], story)


DEMO_BRANDS: tuple[DemoBrand, ...] = (
    _brand("Sonora", "premium", "Sonora tunes every product by ear in its Copenhagen studio."),
    _brand("Auralis", "mid", "Auralis makes honest audio gear without the audiophile markup."),
    _brand("Beacon Audio", "value", "Beacon Audio builds sturdy sound for everyday listening."),
    _brand("Halden Acoustics", "premium", "Halden Acoustics has built hi-fi by hand since 1978."),
    _brand("Ferro", "mid", "Ferro has forged cookware in the same foundry for three generations."),
    _brand("Copperleaf", "premium", "Copperleaf designs kitchen tools for serious home cooks."),
    _brand("Hearthline", "value", "Hearthline makes dependable kitchenware at fair prices."),
    _brand("Kettle & Crane", "premium", "Kettle & Crane obsesses over the perfect morning cup."),
    _brand("Lumen & Co", "mid", "Lumen & Co designs warm, glare-free light for real homes."),
    _brand("Linnea Home", "mid", "Linnea Home weaves its textiles in a family mill in Portugal."),
    _brand("Tallow & Wick", "mid", "Tallow & Wick pours every candle by hand in small batches."),
    _brand("Northhaus", "premium", "Northhaus brings calm Scandinavian design to every room."),
    _brand("Deskwise", "value", "Deskwise makes sensible gear for people who work from home."),
    _brand("Oakframe", "premium", "Oakframe builds office furniture from FSC-certified hardwood."),
    _brand("Keystroke Labs", "mid", "Keystroke Labs is a small team of keyboard enthusiasts."),
    _brand("Papyra", "mid", "Papyra binds its notebooks with fountain-pen-friendly paper."),
    _brand("Ridgeway", "mid", "Ridgeway tests its gear on the long-distance trails of Wales."),
    _brand("Northpine", "premium", "Northpine makes ultralight kit for fast, far adventures."),
    _brand("Tern Outfitters", "value", "Tern Outfitters gets families outdoors without fuss."),
    _brand("Fieldnote", "mid", "Fieldnote cuts timeless wardrobe staples from natural fibres."),
    _brand("Harbor Thread", "value", "Harbor Thread makes comfortable basics for every day."),
    _brand(
        "Woolmark North", "premium", "Woolmark North knits with traceable merino from New Zealand."
    ),
    _brand("Coastline Co", "value", "Coastline Co designs easy clothes for life by the sea."),
    _brand("Stride Theory", "mid", "Stride Theory designs footwear with podiatrists."),
    _brand(
        "Cobble & Last", "premium", "Cobble & Last Goodyear-welts its boots so they can be resoled."
    ),
    _brand("Pacer", "value", "Pacer makes light, springy shoes for everyday miles."),
    _brand("Pulse Athletics", "mid", "Pulse Athletics equips home gyms and studios alike."),
    _brand("Iron Orchard", "mid", "Iron Orchard casts strength equipment built to last decades."),
    _brand("Velo Verde", "premium", "Velo Verde is run by cyclists who commute every day."),
    _brand("Flowform", "value", "Flowform makes mindful movement affordable."),
    _brand("Meeple Works", "mid", "Meeple Works publishes games that bring people to the table."),
    _brand("Tessellate", "mid", "Tessellate prints its puzzles on recycled board."),
    _brand("Quill & Dice", "value", "Quill & Dice makes quick, clever games for game night."),
    _brand("Pawn & Castle", "premium", "Pawn & Castle turns classic games into heirlooms."),
    _brand("Dewpoint", "mid", "Dewpoint formulates simple skincare with few ingredients."),
    _brand("Botanica Lab", "premium", "Botanica Lab blends plant actives in its Provence lab."),
    _brand("Clearwell", "value", "Clearwell makes gentle everyday care for the whole family."),
    _brand("Greenhand", "mid", "Greenhand makes tools for gardeners who grow their own."),
    _brand("Terra Verde", "value", "Terra Verde fires its planters from local clay."),
    _brand("Good Boy Goods", "mid", "Good Boy Goods tests everything on its own office dogs."),
    _brand("Whisker & Paw", "value", "Whisker & Paw keeps pets happy on a sensible budget."),
    _brand("Tailwind Pet", "premium", "Tailwind Pet designs pet gear that looks good at home."),
)

COLOURS_NEUTRAL = ("Black", "White", "Charcoal", "Slate", "Stone", "Sand", "Cream")
COLOURS_BRIGHT = ("Navy", "Forest Green", "Sage", "Rust", "Mustard", "Sky Blue", "Coral", "Teal")
COLOURS = COLOURS_NEUTRAL + COLOURS_BRIGHT
CLOTHING_SIZES = ("XS", "S", "M", "L", "XL", "XXL")
SHOE_SIZES = tuple(f"EU {size}" for size in range(37, 47))
# Which products are sold in sizes (and colours), by leaf category: the size values (the
# product's own when None) and whether colours merge into one product.
VARIANT_SIZES: dict[str, tuple[tuple[str, ...] | None, bool]] = {
    "tops": (("XS", "S", "M", "L", "XL"), True),
    "outerwear": (("XS", "S", "M", "L", "XL"), True),
    "trousers-shorts": (tuple(f"W{waist}" for waist in range(28, 38, 2)), True),
    "sneakers-running": (tuple(f"EU {size}" for size in range(38, 47)), True),
    "boots": (tuple(f"EU {size}" for size in range(38, 47)), True),
    "textiles": (None, False),
}
# A dearer size ("XL" +$5, a king-size duvet cover +$40).
SIZE_SURCHARGES = {"XL": Decimal(5), "W36": Decimal(5), "EU 46": Decimal(5), "King": Decimal(40)}
SIZE_SURCHARGES |= {"Double": Decimal(20), "Super King": Decimal(60), "140 × 200 cm": Decimal(30)}


def _t(
    name: str,
    shape: str,
    price: tuple[int, int],
    blurb: str,
    variant: str | None = None,
    **attributes: tuple[str, ...],
) -> ProductType:
    return ProductType(name, shape, price, blurb, variant, attributes)


DEMO_CATEGORIES: tuple[DemoCategory, ...] = (
    # ── Audio ──────────────────────────────────────────────────────────────────
    DemoCategory(
        "Audio",
        "audio",
        "Headphones, speakers and hi-fi for every kind of listener.",
        hue=210,
    ),
    DemoCategory(
        "Headphones",
        "headphones",
        "Over-ear, on-ear and in-ear, wired and wireless.",
        parent="audio",
        code="AUD-HP",
        weight=32,
        brands=("Sonora", "Auralis", "Beacon Audio"),
        lines=("Aero", "Pulse", "Vela", "Nova", "Echo"),
        types=(
            _t(
                "Wireless Headphones",
                "headphones",
                (69, 299),
                "Soft memory-foam cushions and a balanced, detailed sound for long listening.",
                "colour",
            ),
            _t(
                "Noise-Cancelling Headphones",
                "headphones",
                (149, 449),
                "Adaptive noise cancelling quiets trains, planes and open-plan offices.",
                "colour",
            ),
            _t(
                "True Wireless Earbuds",
                "earbuds",
                (49, 249),
                "Tiny, secure-fitting earbuds with a pocketable charging case.",
                "colour",
            ),
            _t(
                "Studio Monitor Headphones",
                "headphones",
                (89, 279),
                "A flat, revealing response for mixing, editing and critical listening.",
                connectivity=("Wired 3.5 mm", "Wired 6.35 mm"),
                battery_life=(),
            ),
        ),
        attributes={
            "colour": ("Black", "White", "Slate", "Sand", "Navy", "Sage"),
            "connectivity": ("Bluetooth 5.3", "Bluetooth 5.2", "Bluetooth 5.3 + USB-C audio"),
            "battery_life": ("24 hours", "30 hours", "40 hours", "60 hours"),
        },
        hue=210,
    ),
    DemoCategory(
        "Speakers",
        "speakers",
        "Portable, bookshelf and smart speakers, and soundbars for the TV.",
        parent="audio",
        code="AUD-SP",
        weight=26,
        brands=("Sonora", "Auralis", "Beacon Audio", "Halden Acoustics"),
        lines=("Aero", "Boom", "Studio", "Core", "Arc"),
        types=(
            _t(
                "Portable Bluetooth Speaker",
                "speaker",
                (39, 199),
                "Splash-proof, room-filling sound that goes from the kitchen to the beach.",
                "colour",
            ),
            _t(
                "Bookshelf Speakers (Pair)",
                "speaker",
                (149, 599),
                "A matched pair with a silk-dome tweeter and a rich, tight bass.",
                "colour",
            ),
            _t(
                "Soundbar",
                "soundbar",
                (129, 699),
                "Clear dialogue and wide, cinematic sound from one slim bar.",
                power=("120 W", "200 W", "300 W"),
            ),
            _t(
                "Smart Speaker",
                "speaker",
                (49, 249),
                "Streams from every major service and groups with other rooms.",
                "colour",
                connectivity=("Wi-Fi + Bluetooth", "Wi-Fi"),
            ),
        ),
        attributes={
            "colour": ("Black", "White", "Charcoal", "Sand", "Forest Green", "Coral"),
            "connectivity": ("Bluetooth 5.3", "Bluetooth 5.0", "Wi-Fi + Bluetooth"),
            "power": ("10 W", "20 W", "40 W", "60 W"),
        },
        hue=210,
    ),
    DemoCategory(
        "Hi-Fi & Turntables",
        "hi-fi-turntables",
        "Turntables, amplifiers and microphones for records and recording.",
        parent="audio",
        code="AUD-HF",
        weight=18,
        brands=("Halden Acoustics", "Sonora", "Auralis"),
        lines=("Reference", "Classic", "Heritage", "Studio"),
        types=(
            _t(
                "Belt-Drive Turntable",
                "turntable",
                (179, 899),
                "A damped platter and a pre-fitted cartridge: unbox, level and play.",
                "finish",
            ),
            _t(
                "Stereo Integrated Amplifier",
                "amplifier",
                (249, 1299),
                "Class-A/B power with a phono stage and a remote that feels like a tool.",
                "finish",
            ),
            _t(
                "USB Condenser Microphone",
                "microphone",
                (59, 229),
                "Broadcast-quality voice for podcasts, streams and calls, plug and play.",
                "finish",
            ),
            _t(
                "DAC Headphone Amplifier",
                "amplifier",
                (99, 399),
                "A clean, powerful desktop amp that drives even hungry headphones.",
                "finish",
            ),
        ),
        attributes={
            "finish": ("Walnut", "Black Oak", "White Gloss", "Brushed Aluminium", "Matte Black"),
            "connectivity": ("RCA + Bluetooth", "USB-C", "RCA + optical", "XLR + USB-C"),
        },
        hue=210,
    ),
    # ── Kitchen ────────────────────────────────────────────────────────────────
    DemoCategory("Kitchen", "kitchen", "Tools and cookware for people who like to cook.", hue=24),
    DemoCategory(
        "Cookware",
        "cookware",
        "Pans, pots and Dutch ovens that last a lifetime.",
        parent="kitchen",
        code="KIT-CW",
        weight=30,
        brands=("Ferro", "Copperleaf", "Hearthline"),
        lines=("Classic", "Pro", "Heritage", "Everyday", "Signature"),
        types=(
            _t(
                "Cast Iron Skillet",
                "pan",
                (29, 129),
                "Pre-seasoned and ready to sear, bake and go straight into the oven.",
                "size",
                material=("Cast Iron",),
                colour=(),
            ),
            _t(
                "Non-Stick Frying Pan",
                "pan",
                (24, 119),
                "A PFAS-free ceramic coating releases eggs and fish without a fight.",
                "size",
                material=("Aluminium", "Stainless Steel"),
            ),
            _t(
                "Enamelled Dutch Oven",
                "pot",
                (59, 349),
                "Slow braises, crusty bread and weeknight stews, all in one pot.",
                "colour",
                material=("Enamelled Cast Iron",),
                size=("20 cm", "24 cm", "28 cm"),
            ),
            _t(
                "Stainless Steel Saucepan",
                "saucepan",
                (29, 159),
                "Tri-ply construction heats evenly on every hob, induction included.",
                "size",
                material=("Stainless Steel", "Copper"),
                colour=(),
            ),
            _t(
                "Carbon Steel Wok",
                "wok",
                (34, 129),
                "Light, fast and ready for real wok hei over a high flame.",
                "size",
                material=("Carbon Steel",),
                colour=(),
            ),
        ),
        attributes={
            "material": ("Cast Iron",),
            "size": ("20 cm", "24 cm", "26 cm", "28 cm", "30 cm"),
            "colour": ("Black", "Cream", "Rust", "Navy", "Sage", "Mustard"),
            "dishwasher_safe": ("Yes", "No"),
        },
        hue=24,
    ),
    DemoCategory(
        "Knives & Tools",
        "knives-tools",
        "Sharp knives, sturdy boards and the tools between them.",
        parent="kitchen",
        code="KIT-KT",
        weight=22,
        brands=("Ferro", "Copperleaf", "Hearthline"),
        lines=("Classic", "Pro", "Kiritsuke", "Everyday"),
        types=(
            _t(
                "Chef's Knife",
                "knife",
                (39, 249),
                "A balanced, all-round blade that glides through onions and squash alike.",
                "blade_length",
            ),
            _t(
                "Santoku Knife",
                "knife",
                (39, 219),
                "A flat Japanese profile with a granton edge for clean, fast slicing.",
                "blade_length",
            ),
            _t(
                "Serrated Bread Knife",
                "bread_knife",
                (29, 139),
                "Scalloped teeth that cut crusty loaves without crushing the crumb.",
                "blade_length",
            ),
            _t(
                "End-Grain Cutting Board",
                "board",
                (39, 189),
                "Self-healing end grain that is kind to knife edges.",
                "material",
                material=("Walnut", "Oak", "Maple", "Acacia"),
                blade_length=(),
            ),
        ),
        attributes={
            "material": ("German Steel", "Japanese VG-10", "Damascus Steel", "Carbon Steel"),
            "blade_length": ("15 cm", "18 cm", "20 cm", "23 cm"),
            "handle": ("Walnut", "Olive Wood", "Black Composite", "Pakkawood"),
        },
        hue=24,
    ),
    DemoCategory(
        "Coffee & Tea",
        "coffee-tea",
        "Kettles, grinders and brewers for a better morning.",
        parent="kitchen",
        code="KIT-CT",
        weight=24,
        brands=("Kettle & Crane", "Copperleaf", "Hearthline"),
        lines=("Morning", "Barista", "Ritual", "Daily", "Origin"),
        types=(
            _t(
                "Gooseneck Kettle",
                "kettle",
                (39, 189),
                "A precise spout and a hold-temperature mode for pour-over coffee and green tea.",
                "colour",
                capacity=("0.8 L", "0.9 L", "1 L"),
            ),
            _t(
                "Burr Coffee Grinder",
                "grinder",
                (49, 349),
                "Conical burrs and 40 settings, from espresso to cold brew.",
                "colour",
            ),
            _t(
                "French Press",
                "press",
                (24, 99),
                "A four-minute brew with a double filter for a clean, full-bodied cup.",
                "capacity",
                material=("Borosilicate Glass", "Stainless Steel"),
            ),
            _t(
                "Stoneware Mug Set",
                "mugs",
                (24, 69),
                "Four reactive-glaze mugs, each one slightly different, all dishwasher safe.",
                "colour",
                material=("Stoneware",),
                capacity=("300 ml", "350 ml", "400 ml"),
            ),
            _t(
                "Cast Iron Teapot",
                "teapot",
                (34, 119),
                "Keeps tea hot for ages, with a fine stainless infuser.",
                "colour",
                material=("Cast Iron",),
                capacity=("0.6 L", "0.9 L", "1.2 L"),
            ),
        ),
        attributes={
            "colour": ("Black", "White", "Matte Black", "Copper", "Sage", "Sky Blue", "Cream"),
            "capacity": ("0.35 L", "0.6 L", "1 L"),
            "material": ("Stainless Steel", "Ceramic", "Aluminium"),
        },
        hue=24,
    ),
    DemoCategory(
        "Small Appliances",
        "small-appliances",
        "Mixers, blenders, toasters and espresso machines.",
        parent="kitchen",
        code="KIT-SA",
        weight=20,
        brands=("Copperleaf", "Hearthline", "Kettle & Crane"),
        lines=("Pro", "Classic", "Compact", "Artisan"),
        types=(
            _t(
                "Stand Mixer",
                "mixer",
                (149, 599),
                "A planetary action and a 5-litre bowl for doughs, cakes and meringues.",
                "colour",
                power=("800 W", "1000 W", "1200 W"),
            ),
            _t(
                "High-Speed Blender",
                "blender",
                (59, 449),
                "Silky smoothies, nut butters and hot soups in one tough jug.",
                "colour",
                power=("1000 W", "1400 W", "1800 W"),
            ),
            _t(
                "Two-Slice Toaster",
                "toaster",
                (29, 129),
                "Wide slots, a bagel setting and an even golden colour every time.",
                "colour",
            ),
            _t(
                "Espresso Machine",
                "espresso",
                (199, 999),
                "Fifteen bars, a steam wand for latte art and a 58 mm portafilter.",
                "colour",
                power=("1350 W", "1500 W"),
            ),
        ),
        attributes={
            "colour": ("Cream", "Black", "Stainless", "Rust", "Sky Blue", "Sage", "Red"),
            "power": ("800 W", "900 W", "1100 W"),
            "warranty": ("2 years", "3 years", "5 years"),
        },
        hue=24,
    ),
    # ── Home & Living ──────────────────────────────────────────────────────────
    DemoCategory(
        "Home & Living",
        "home-living",
        "Lighting, textiles and the small things that make a home.",
        hue=340,
    ),
    DemoCategory(
        "Lighting",
        "lighting",
        "Table, floor and pendant lamps with warm, glare-free light.",
        parent="home-living",
        code="HOM-LI",
        weight=22,
        brands=("Lumen & Co", "Northhaus", "Linnea Home"),
        lines=("Halo", "Orb", "Dune", "Fjord", "Ember"),
        types=(
            _t(
                "Table Lamp",
                "lamp",
                (39, 249),
                "A soft, diffused glow for side tables and bedside reading.",
                "colour",
            ),
            _t(
                "Floor Lamp",
                "floor_lamp",
                (79, 399),
                "Tall, slender and bright enough to light a whole reading corner.",
                "colour",
            ),
            _t(
                "Pendant Light",
                "pendant",
                (49, 329),
                "A statement shade that hangs over a dining table or kitchen island.",
                "colour",
            ),
        ),
        attributes={
            "colour": ("White", "Black", "Sand", "Terracotta", "Sage", "Brass", "Mustard"),
            "material": ("Linen", "Ceramic", "Glass", "Steel", "Rattan"),
            "bulb": ("E27 LED, 2700 K", "Integrated LED, dimmable", "E14 LED"),
        },
        hue=340,
    ),
    DemoCategory(
        "Bedding & Textiles",
        "textiles",
        "Bedding, throws, cushions and towels in natural fibres.",
        parent="home-living",
        code="HOM-TX",
        weight=24,
        brands=("Linnea Home", "Northhaus", "Lumen & Co"),
        lines=("Everyday", "Heritage", "Coastal", "Nordic", "Washed"),
        types=(
            _t(
                "Linen Duvet Cover",
                "folded",
                (59, 239),
                "Stonewashed French linen that gets softer with every wash.",
                "colour",
                material=("Linen",),
                size=("Single", "Double", "King", "Super King"),
            ),
            _t(
                "Wool Throw Blanket",
                "folded",
                (49, 199),
                "A generous throw for the sofa, woven from soft lambswool.",
                "colour",
                material=("Lambswool", "Merino Wool", "Recycled Wool"),
                size=("130 × 170 cm", "140 × 200 cm"),
            ),
            _t(
                "Cushion Cover",
                "cushion",
                (19, 59),
                "A hidden zip and a tailored fit make any cushion look plumper.",
                "colour",
                size=("45 × 45 cm", "50 × 50 cm", "40 × 60 cm"),
            ),
            _t(
                "Organic Cotton Towel Set",
                "folded",
                (29, 119),
                "Thirsty, quick-drying towels in heavy 600 gsm terry.",
                "colour",
                material=("Organic Cotton",),
                size=("2 bath + 2 hand", "4 bath", "6-piece"),
            ),
        ),
        attributes={
            "colour": ("White", "Oat", "Sage", "Terracotta", "Charcoal", "Blush", "Navy"),
            "material": ("Linen", "Cotton", "Organic Cotton", "Velvet"),
            "size": ("Single", "Double", "King"),
        },
        hue=340,
    ),
    DemoCategory(
        "Decor",
        "decor",
        "Vases, candles, clocks and frames.",
        parent="home-living",
        code="HOM-DE",
        weight=20,
        brands=("Tallow & Wick", "Northhaus", "Lumen & Co"),
        lines=("Still", "Tide", "Moss", "Dusk", "Atelier"),
        types=(
            _t(
                "Ceramic Vase",
                "vase",
                (24, 149),
                "Hand-thrown and glazed in small batches, each one slightly unique.",
                "colour",
                material=("Stoneware", "Porcelain", "Terracotta"),
            ),
            _t(
                "Scented Candle",
                "candle",
                (19, 69),
                "A clean-burning soy candle with a cotton wick and about 50 hours of burn time.",
                "scent",
                material=("Soy Wax",),
            ),
            _t(
                "Wall Clock",
                "clock",
                (29, 149),
                "A silent sweep movement: no ticking, only time.",
                "colour",
            ),
            _t(
                "Picture Frame",
                "frame",
                (14, 79),
                "Solid wood with a museum-style mount and real glass.",
                "size",
                material=("Oak", "Walnut", "Aluminium"),
                size=("A4", "A3", "30 × 40 cm", "50 × 70 cm"),
            ),
        ),
        attributes={
            "colour": ("White", "Sand", "Sage", "Terracotta", "Black", "Sky Blue", "Blush"),
            "material": ("Ceramic", "Glass", "Oak", "Steel"),
            "scent": ("Fig & Cedar", "Sea Salt", "Smoked Vetiver", "Orange Blossom", "Pine"),
        },
        hue=340,
    ),
    # ── Home Office ────────────────────────────────────────────────────────────
    DemoCategory(
        "Home Office",
        "home-office",
        "Desks, chairs and small things that make work easier.",
        hue=260,
    ),
    DemoCategory(
        "Desks & Chairs",
        "desks-chairs",
        "Standing desks, ergonomic chairs and monitor stands.",
        parent="home-office",
        code="OFF-DC",
        weight=18,
        brands=("Oakframe", "Deskwise"),
        lines=("Flex", "Atlas", "Studio", "Loft", "Pro"),
        types=(
            _t(
                "Electric Standing Desk",
                "desk",
                (299, 999),
                "Dual motors lift it from sitting to standing in under ten seconds.",
                "size",
                size=("120 × 60 cm", "140 × 70 cm", "160 × 80 cm"),
            ),
            _t(
                "Ergonomic Office Chair",
                "chair",
                (179, 899),
                "Adjustable lumbar support, 4D arms and a breathable mesh back.",
                "colour",
            ),
            _t(
                "Monitor Stand",
                "stand",
                (29, 149),
                "Lifts your screen to eye level, with storage for the keyboard below.",
                "material",
            ),
        ),
        attributes={
            "colour": ("Black", "White", "Charcoal", "Slate", "Sand"),
            "material": ("Oak", "Walnut", "Bamboo", "Steel"),
            "max_load": ("50 kg", "80 kg", "120 kg"),
        },
        hue=260,
    ),
    DemoCategory(
        "Keyboards & Mice",
        "keyboards-mice",
        "Keyboards, mice and desk mats that feel good all day.",
        parent="home-office",
        code="OFF-KM",
        weight=20,
        brands=("Keystroke Labs", "Deskwise"),
        lines=("K1", "Tactile", "Silent", "Flow", "Air"),
        types=(
            _t(
                "Mechanical Keyboard",
                "keyboard",
                (59, 249),
                "Hot-swappable switches and PBT keycaps that never shine.",
                "layout",
                switches=("Tactile Brown", "Linear Red", "Clicky Blue", "Silent Linear"),
            ),
            _t(
                "Wireless Mouse",
                "mouse",
                (24, 129),
                "A sculpted shape, a silent click and months on one charge.",
                "colour",
                layout=(),
            ),
            _t(
                "Felt Desk Mat",
                "desk_mat",
                (19, 69),
                "A soft merino felt surface that keeps your desk quiet and warm.",
                "colour",
                layout=(),
                connectivity=(),
            ),
        ),
        attributes={
            "colour": ("Black", "White", "Slate", "Sand", "Sage", "Navy"),
            "connectivity": ("Bluetooth + 2.4 GHz", "USB-C wired", "Bluetooth"),
            "layout": ("US ANSI", "UK ISO", "Nordic", "German"),
        },
        hue=260,
    ),
    DemoCategory(
        "Stationery",
        "stationery",
        "Notebooks, planners and pens for thinking on paper.",
        parent="home-office",
        code="OFF-ST",
        weight=18,
        brands=("Papyra", "Deskwise", "Oakframe"),
        lines=("Field", "Studio", "Archive", "Daily", "Atelier"),
        types=(
            _t(
                "Dot Grid Notebook",
                "notebook",
                (9, 34),
                "120 gsm paper that takes fountain pens without bleeding.",
                "colour",
            ),
            _t(
                "Undated Weekly Planner",
                "notebook",
                (14, 39),
                "Start any week of the year, with space for goals and notes.",
                "colour",
            ),
            _t(
                "Fountain Pen",
                "pen",
                (24, 189),
                "A smooth steel nib that writes the moment it touches the paper.",
                "colour",
                nib=("Extra Fine", "Fine", "Medium", "Broad"),
                paper=(),
                format=(),
            ),
            _t(
                "Desk Organiser",
                "organiser",
                (19, 89),
                "Pens, cards and cables, finally in their place.",
                "material",
                material=("Oak", "Walnut", "Felt", "Cork"),
                paper=(),
                format=(),
            ),
        ),
        attributes={
            "colour": ("Black", "Navy", "Forest Green", "Rust", "Sand", "Sky Blue", "Coral"),
            "format": ("A5", "B5", "A6 pocket"),
            "paper": ("120 gsm dot grid", "100 gsm lined", "90 gsm blank"),
        },
        hue=260,
    ),
    # ── Outdoor ────────────────────────────────────────────────────────────────
    DemoCategory(
        "Outdoor", "outdoor", "Gear for trails, camps and long weekends outside.", hue=130
    ),
    DemoCategory(
        "Camping",
        "camping",
        "Tents, sleeping bags, stoves and lanterns.",
        parent="outdoor",
        code="OUT-CA",
        weight=24,
        brands=("Northpine", "Ridgeway", "Tern Outfitters"),
        lines=("Summit", "Basecamp", "Trail", "Nomad", "Horizon"),
        types=(
            _t(
                "Two-Person Tent",
                "tent",
                (129, 549),
                "Pitches in minutes, sheds a storm and packs down to the size of a loaf.",
                "colour",
            ),
            _t(
                "Down Sleeping Bag",
                "sleeping_bag",
                (99, 449),
                "Responsibly sourced down with a draught collar for cold, clear nights.",
                "comfort_rating",
                comfort_rating=("+5 °C", "0 °C", "-5 °C", "-10 °C"),
            ),
            _t(
                "Camping Lantern",
                "lantern",
                (24, 89),
                "Rechargeable, dimmable and warm enough to make a tent feel like home.",
                "colour",
                season=(),
                weight=("180 g", "260 g", "340 g"),
            ),
            _t(
                "Folding Camp Chair",
                "camp_chair",
                (39, 149),
                "Sets up in seconds and holds 120 kg, with a cup holder, of course.",
                "colour",
                season=(),
            ),
        ),
        attributes={
            "colour": ("Forest Green", "Rust", "Sand", "Navy", "Mustard", "Stone"),
            "weight": ("0.9 kg", "1.4 kg", "1.9 kg", "2.6 kg"),
            "season": ("3-season", "3-season plus", "4-season"),
        },
        hue=130,
    ),
    DemoCategory(
        "Hiking",
        "hiking",
        "Packs, poles, headlamps and bottles for the trail.",
        parent="outdoor",
        code="OUT-HI",
        weight=24,
        brands=("Ridgeway", "Northpine", "Tern Outfitters"),
        lines=("Trail", "Ascent", "Ridge", "Trek", "Pathfinder"),
        types=(
            _t(
                "Hiking Backpack",
                "backpack",
                (59, 279),
                "A ventilated back panel and a hip belt that carries the load.",
                "capacity",
                capacity=("20 L", "30 L", "45 L", "65 L"),
            ),
            _t(
                "Carbon Trekking Poles",
                "poles",
                (49, 189),
                "Light carbon shafts with cork grips that fold to 38 cm.",
                "colour",
                capacity=(),
                material=("Carbon", "Aluminium"),
            ),
            _t(
                "Rechargeable Headlamp",
                "headlamp",
                (24, 99),
                "400 lumens, a red night mode and USB-C charging.",
                "colour",
                capacity=(),
                material=(),
                brightness=("300 lm", "400 lm", "600 lm"),
            ),
            _t(
                "Insulated Water Bottle",
                "bottle",
                (19, 49),
                "Keeps water cold for 24 hours and coffee hot for 12.",
                "capacity",
                capacity=("500 ml", "750 ml", "1 L"),
                material=("Stainless Steel",),
            ),
        ),
        attributes={
            "colour": ("Forest Green", "Rust", "Navy", "Black", "Sky Blue", "Mustard", "Coral"),
            "capacity": ("20 L", "30 L"),
            "material": ("Recycled Nylon", "Ripstop Polyester", "Cordura Nylon"),
        },
        hue=130,
    ),
    # ── Apparel ────────────────────────────────────────────────────────────────
    DemoCategory("Apparel", "apparel", "Everyday clothing made to last.", hue=30),
    DemoCategory(
        "Tops",
        "tops",
        "Tees, shirts, sweaters and hoodies.",
        parent="apparel",
        code="APP-TO",
        weight=32,
        brands=("Fieldnote", "Harbor Thread", "Woolmark North", "Coastline Co"),
        lines=("Everyday", "Heritage", "Field", "Coastal", "Alpine"),
        types=(
            _t(
                "Organic Cotton Tee",
                "tee",
                (19, 49),
                "A heavyweight tee with a neat collar that keeps its shape wash after wash.",
                "colour",
                material=("Organic Cotton",),
            ),
            _t(
                "Merino Crew Sweater",
                "sweater",
                (79, 189),
                "Fine-gauge merino that is warm, breathable and never itchy.",
                "colour",
                material=("Merino Wool",),
            ),
            _t(
                "Linen Shirt",
                "shirt",
                (49, 129),
                "A relaxed linen shirt that stays cool on the hottest days.",
                "colour",
                material=("Linen",),
            ),
            _t(
                "Brushed Fleece Hoodie",
                "hoodie",
                (49, 119),
                "A roomy hood, deep pockets and a fleece lining you'll live in.",
                "colour",
                material=("Organic Cotton", "Recycled Polyester"),
            ),
        ),
        attributes={
            "size": CLOTHING_SIZES,
            "colour": ("White", "Black", "Navy", "Olive", "Oat", "Rust", "Sky Blue", "Charcoal"),
            "material": ("Cotton",),
            "fit": ("Regular", "Relaxed", "Slim"),
        },
        hue=30,
    ),
    DemoCategory(
        "Outerwear",
        "outerwear",
        "Rain shells, puffers, overcoats and fleeces.",
        parent="apparel",
        code="APP-OW",
        weight=24,
        brands=("Fieldnote", "Woolmark North", "Coastline Co", "Ridgeway"),
        lines=("Storm", "Harbour", "Alpine", "Metro", "Field"),
        types=(
            _t(
                "Waterproof Rain Jacket",
                "jacket",
                (89, 299),
                "A breathable 3-layer shell with taped seams and a hood that turns with you.",
                "colour",
                material=("Recycled Nylon", "Ripstop Polyester"),
            ),
            _t(
                "Down Puffer Jacket",
                "puffer",
                (129, 399),
                "700-fill-power down in a packable, wind-resistant shell.",
                "colour",
                material=("Recycled Nylon",),
            ),
            _t(
                "Wool Overcoat",
                "coat",
                (179, 499),
                "A tailored, knee-length coat in dense Italian wool.",
                "colour",
                material=("Wool", "Wool-Cashmere"),
            ),
            _t(
                "Fleece Jacket",
                "jacket",
                (49, 149),
                "A cosy high-pile fleece for cold mornings and campfires.",
                "colour",
                material=("Recycled Polyester",),
            ),
        ),
        attributes={
            "size": CLOTHING_SIZES,
            "colour": ("Black", "Navy", "Olive", "Rust", "Sand", "Charcoal", "Mustard"),
            "material": ("Recycled Nylon",),
        },
        hue=30,
    ),
    DemoCategory(
        "Trousers & Shorts",
        "trousers-shorts",
        "Chinos, work pants, jeans and shorts.",
        parent="apparel",
        code="APP-TR",
        weight=22,
        brands=("Fieldnote", "Harbor Thread", "Coastline Co"),
        lines=("Everyday", "Workwear", "Field", "Coastal"),
        types=(
            _t(
                "Canvas Work Pants",
                "trousers",
                (59, 139),
                "Tough cotton canvas with a gusseted crotch and reinforced knees.",
                "colour",
                material=("Cotton Canvas",),
            ),
            _t(
                "Slim Chinos",
                "trousers",
                (49, 119),
                "A clean, slim chino with a little stretch for all-day comfort.",
                "colour",
                material=("Cotton Twill",),
            ),
            _t(
                "Selvedge Denim Jeans",
                "trousers",
                (79, 229),
                "Raw Japanese selvedge denim that fades the way you wear it.",
                "fit",
                material=("Selvedge Denim",),
                colour=("Indigo", "Black", "Washed Blue"),
            ),
            _t(
                "Trail Shorts",
                "shorts",
                (29, 79),
                "Quick-drying shorts with a zip pocket for keys and a phone.",
                "colour",
                material=("Recycled Nylon",),
            ),
        ),
        attributes={
            "size": tuple(f"W{waist}" for waist in range(28, 40, 2)),
            "colour": ("Navy", "Olive", "Sand", "Black", "Charcoal", "Rust"),
            "fit": ("Slim", "Regular", "Relaxed", "Tapered"),
            "material": ("Cotton",),
        },
        hue=30,
    ),
    DemoCategory(
        "Accessories",
        "apparel-accessories",
        "Beanies, belts, scarves and socks.",
        parent="apparel",
        code="APP-AC",
        weight=20,
        brands=("Woolmark North", "Fieldnote", "Harbor Thread"),
        lines=("Everyday", "Heritage", "Alpine", "Classic"),
        types=(
            _t(
                "Ribbed Wool Beanie",
                "beanie",
                (19, 59),
                "A deep turn-up and a soft rib knit that stays put in the wind.",
                "colour",
                material=("Merino Wool", "Lambswool"),
                size=("One size",),
            ),
            _t(
                "Leather Belt",
                "belt",
                (29, 99),
                "Full-grain vegetable-tanned leather with a solid brass buckle.",
                "size",
                material=("Full-Grain Leather",),
                size=("80 cm", "90 cm", "100 cm", "110 cm"),
                colour=("Tan", "Dark Brown", "Black"),
            ),
            _t(
                "Cashmere Scarf",
                "scarf",
                (59, 189),
                "Featherlight, brushed cashmere that is wonderfully warm.",
                "colour",
                material=("Cashmere",),
                size=("One size",),
            ),
            _t(
                "Merino Hiking Socks (3 Pairs)",
                "socks",
                (19, 45),
                "Cushioned where it counts, and they don't smell after a long day.",
                "size",
                material=("Merino Wool",),
                size=("S (36–39)", "M (40–43)", "L (44–47)"),
            ),
        ),
        attributes={
            "colour": ("Black", "Navy", "Rust", "Mustard", "Oat", "Forest Green", "Charcoal"),
            "material": ("Wool",),
            "size": ("One size",),
        },
        hue=30,
    ),
    # ── Footwear ───────────────────────────────────────────────────────────────
    DemoCategory("Footwear", "footwear", "Sneakers, running shoes and boots.", hue=190),
    DemoCategory(
        "Sneakers & Running",
        "sneakers-running",
        "Everyday sneakers and running shoes.",
        parent="footwear",
        code="FTW-SN",
        weight=28,
        brands=("Stride Theory", "Pacer", "Pulse Athletics"),
        lines=("Glide", "Tempo", "Street", "Cloud", "Sprint"),
        types=(
            _t(
                "Canvas Sneakers",
                "sneaker",
                (39, 99),
                "A vulcanised sole and an organic canvas upper: the classic, done right.",
                "colour",
                material=("Organic Canvas",),
            ),
            _t(
                "Leather Court Sneakers",
                "sneaker",
                (79, 179),
                "Minimal, crisp leather sneakers with a cushioned, replaceable insole.",
                "colour",
                material=("Leather",),
            ),
            _t(
                "Road Running Shoes",
                "runner",
                (89, 199),
                "A bouncy foam midsole and a breathable mesh for daily training miles.",
                "colour",
                material=("Engineered Mesh",),
            ),
        ),
        attributes={
            "size": SHOE_SIZES,
            "colour": ("White", "Black", "Navy", "Sand", "Coral", "Sky Blue", "Forest Green"),
            "material": ("Leather",),
        },
        hue=190,
    ),
    DemoCategory(
        "Boots",
        "boots",
        "Hiking boots, Chelsea boots and work boots.",
        parent="footwear",
        code="FTW-BO",
        weight=22,
        brands=("Cobble & Last", "Ridgeway", "Stride Theory"),
        lines=("Highland", "Foundry", "Heritage", "Ridge"),
        types=(
            _t(
                "Waterproof Hiking Boots",
                "boot",
                (109, 279),
                "A waterproof membrane and a grippy lugged sole for rough ground.",
                "colour",
                material=("Nubuck", "Suede"),
            ),
            _t(
                "Chelsea Boots",
                "chelsea",
                (119, 329),
                "Elastic sides, a leather lining and a sole that can be replaced.",
                "colour",
                material=("Leather", "Suede"),
            ),
            _t(
                "Leather Work Boots",
                "boot",
                (139, 349),
                "Goodyear-welted full-grain leather, made to be resoled for decades.",
                "colour",
                material=("Full-Grain Leather",),
            ),
        ),
        attributes={
            "size": SHOE_SIZES,
            "colour": ("Tan", "Dark Brown", "Black", "Stone", "Olive"),
            "material": ("Leather",),
        },
        hue=190,
    ),
    # ── Sports & Fitness ───────────────────────────────────────────────────────
    DemoCategory(
        "Sports & Fitness",
        "sports-fitness",
        "Equipment for the home gym, the studio and the road.",
        hue=160,
    ),
    DemoCategory(
        "Yoga & Pilates",
        "yoga-pilates",
        "Mats, blocks, bands and rollers.",
        parent="sports-fitness",
        code="SPO-YO",
        weight=22,
        brands=("Flowform", "Pulse Athletics"),
        lines=("Balance", "Studio", "Flow", "Ground", "Lotus"),
        types=(
            _t(
                "Yoga Mat",
                "yoga_mat",
                (24, 119),
                "Grippy when wet, cushioned for the knees, and free of PVC.",
                "colour",
                thickness=("4 mm", "5 mm", "6 mm"),
            ),
            _t(
                "Cork Yoga Block (Pair)",
                "blocks",
                (19, 39),
                "Firm, natural cork blocks for support in every pose.",
                "size",
                material=("Cork",),
                size=("Standard", "Large"),
            ),
            _t(
                "Resistance Band Set",
                "bands",
                (14, 49),
                "Five fabric bands from light to extra heavy, with a carry bag.",
                "colour",
                material=("Fabric-Latex",),
            ),
            _t(
                "Foam Roller",
                "roller",
                (19, 59),
                "A firm, textured roller for recovery after long runs.",
                "colour",
                size=("33 cm", "45 cm", "90 cm"),
            ),
        ),
        attributes={
            "colour": ("Sage", "Lavender", "Sky Blue", "Coral", "Charcoal", "Teal", "Sand"),
            "material": ("Natural Rubber", "TPE", "Cork"),
        },
        hue=160,
    ),
    DemoCategory(
        "Strength",
        "strength",
        "Dumbbells, kettlebells and home-gym basics.",
        parent="sports-fitness",
        code="SPO-ST",
        weight=18,
        brands=("Iron Orchard", "Pulse Athletics"),
        lines=("Forge", "Core", "Titan", "Pro"),
        types=(
            _t(
                "Hex Dumbbells (Pair)",
                "dumbbell",
                (29, 249),
                "Rubber-coated hex heads that don't roll and knurled, chrome handles.",
                "weight",
                weight=("2 × 5 kg", "2 × 10 kg", "2 × 15 kg", "2 × 20 kg"),
            ),
            _t(
                "Cast Iron Kettlebell",
                "kettlebell",
                (29, 129),
                "One piece of cast iron with a smooth, wide handle for swings and snatches.",
                "weight",
                weight=("8 kg", "12 kg", "16 kg", "20 kg", "24 kg"),
            ),
            _t(
                "Adjustable Weight Bench",
                "bench",
                (129, 399),
                "Seven back positions from decline to upright, folds flat for storage.",
                "colour",
                weight=(),
                max_load=("250 kg", "300 kg"),
            ),
        ),
        attributes={
            "colour": ("Black", "Charcoal", "Rust", "Forest Green", "Navy"),
            "weight": ("10 kg",),
        },
        hue=160,
    ),
    DemoCategory(
        "Cycling",
        "cycling",
        "Helmets, lights and bottles for the commute and the weekend ride.",
        parent="sports-fitness",
        code="SPO-CY",
        weight=18,
        brands=("Velo Verde", "Pulse Athletics", "Ridgeway"),
        lines=("Commute", "Aero", "Gravel", "City", "Sprint"),
        types=(
            _t(
                "Cycling Helmet",
                "helmet",
                (49, 229),
                "A light in-moulded shell with rotational impact protection.",
                "colour",
                size=("S (51–55 cm)", "M (54–58 cm)", "L (58–62 cm)"),
            ),
            _t(
                "Rechargeable Bike Light Set",
                "bike_light",
                (24, 99),
                "A bright front light and a rear light you'll see from 500 metres.",
                "colour",
            ),
            _t(
                "Sports Water Bottle",
                "bottle",
                (9, 24),
                "A squeezable, BPA-free bottle with a self-sealing valve.",
                "colour",
                size=("550 ml", "750 ml"),
            ),
        ),
        attributes={
            "colour": ("Black", "White", "Coral", "Sky Blue", "Mustard", "Forest Green"),
            "size": ("One size",),
        },
        hue=160,
    ),
    # ── Games & Puzzles ────────────────────────────────────────────────────────
    DemoCategory(
        "Games & Puzzles",
        "games-puzzles",
        "Board games, card games and puzzles to play together.",
        hue=280,
    ),
    DemoCategory(
        "Board Games",
        "board-games",
        "Strategy, family and cooperative board games, and classics.",
        parent="games-puzzles",
        code="GAM-BG",
        weight=24,
        brands=("Meeple Works", "Quill & Dice", "Pawn & Castle"),
        lines=("Harbour", "Lantern", "Orchard", "Kingdom", "Voyage", "Starfall"),
        types=(
            _t(
                "Strategy Board Game",
                "game_box",
                (29, 79),
                "Build, trade and outwit your friends in a game that is never the same twice.",
                "players",
            ),
            _t(
                "Cooperative Adventure Game",
                "game_box",
                (34, 89),
                "Everyone wins or loses together against the board.",
                "players",
            ),
            _t(
                "Family Party Game",
                "game_box",
                (14, 39),
                "Easy to teach, loud to play and over in twenty minutes.",
                "players",
            ),
            _t(
                "Wooden Chess Set",
                "chess",
                (39, 249),
                "Weighted, hand-turned pieces and a folding board with felt-lined storage.",
                "material",
                material=("Walnut & Maple", "Rosewood & Boxwood", "Ebonised Oak"),
                players=("2",),
                playing_time=(),
            ),
        ),
        attributes={
            "players": ("1–4", "2–4", "2–5", "2–6", "3–8"),
            "age": ("8+", "10+", "12+", "14+"),
            "playing_time": ("20 min", "30–45 min", "60 min", "60–90 min"),
        },
        hue=280,
    ),
    DemoCategory(
        "Puzzles",
        "puzzles",
        "Jigsaws and brain teasers.",
        parent="games-puzzles",
        code="GAM-PZ",
        weight=18,
        brands=("Tessellate", "Meeple Works"),
        lines=("Atlas", "Botanica", "Cityscape", "Wild", "Vintage"),
        types=(
            _t(
                "1000-Piece Jigsaw Puzzle",
                "puzzle",
                (19, 34),
                "Thick, snug-fitting pieces and a glare-free linen finish.",
                "theme",
                pieces=("1000",),
            ),
            _t(
                "500-Piece Jigsaw Puzzle",
                "puzzle",
                (14, 27),
                "A relaxing evening's puzzle with large, satisfying pieces.",
                "theme",
                pieces=("500",),
            ),
            _t(
                "Wooden Brain Teaser",
                "cube",
                (12, 39),
                "A hand-finished wooden puzzle that is easy to take apart and hard to rebuild.",
                "difficulty",
                theme=(),
            ),
        ),
        attributes={
            "theme": ("Botanical", "Maps", "Cityscapes", "Wildlife", "Abstract", "Space"),
            "difficulty": ("Easy", "Medium", "Hard", "Fiendish"),
            "age": ("8+", "12+", "14+"),
        },
        hue=280,
    ),
    DemoCategory(
        "Card & Dice Games",
        "card-dice-games",
        "Quick card games and dice for game night.",
        parent="games-puzzles",
        code="GAM-CD",
        weight=16,
        brands=("Quill & Dice", "Meeple Works"),
        lines=("Fox", "Raven", "Comet", "Maple", "Tide"),
        types=(
            _t(
                "Card Game",
                "cards",
                (9, 24),
                "A pocket-sized card game with big decisions.",
                "players",
            ),
            _t(
                "Polyhedral Dice Set",
                "dice",
                (9, 39),
                "Seven precision dice with crisp, inked numbers and a velvet pouch.",
                "colour",
                colour=("Coral", "Teal", "Navy", "Mustard", "Black", "Lavender"),
                playing_time=(),
            ),
        ),
        attributes={
            "players": ("2", "2–4", "2–6", "3–10"),
            "age": ("6+", "8+", "10+", "14+"),
            "playing_time": ("10 min", "15 min", "20–30 min"),
        },
        hue=280,
    ),
    # ── Beauty & Care ──────────────────────────────────────────────────────────
    DemoCategory("Beauty & Care", "beauty-care", "Skincare, hair and body care.", hue=320),
    DemoCategory(
        "Skincare",
        "skincare",
        "Cleansers, serums, moisturisers and sunscreen.",
        parent="beauty-care",
        code="BEA-SK",
        weight=22,
        brands=("Dewpoint", "Botanica Lab", "Clearwell"),
        lines=("Daily", "Calm", "Glow", "Barrier", "Pure"),
        types=(
            _t(
                "Daily Moisturiser",
                "jar",
                (12, 69),
                "Light, fast-absorbing hydration with ceramides and squalane.",
                "size",
                size=("30 ml", "50 ml", "75 ml"),
            ),
            _t(
                "Vitamin C Serum",
                "dropper",
                (19, 79),
                "A stable 15% vitamin C serum for a brighter, more even tone.",
                "size",
                size=("15 ml", "30 ml"),
            ),
            _t(
                "Gentle Gel Cleanser",
                "pump_bottle",
                (9, 39),
                "A low-foam cleanser that removes sunscreen without stripping.",
                "size",
                size=("150 ml", "250 ml", "400 ml"),
            ),
            _t(
                "Mineral Sunscreen SPF 50",
                "tube",
                (12, 45),
                "Broad-spectrum, reef-friendly protection with no white cast.",
                "size",
                size=("50 ml", "100 ml"),
            ),
        ),
        attributes={
            "skin_type": ("All skin types", "Dry", "Oily", "Sensitive", "Combination"),
            "scent": ("Unscented", "Citrus", "Green Tea", "Rose"),
            "size": ("50 ml",),
        },
        hue=320,
    ),
    DemoCategory(
        "Hair & Body",
        "hair-body",
        "Shampoo, conditioner, body wash and hand cream.",
        parent="beauty-care",
        code="BEA-HB",
        weight=18,
        brands=("Clearwell", "Botanica Lab", "Dewpoint"),
        lines=("Daily", "Nourish", "Fresh", "Botanic", "Repair"),
        types=(
            _t(
                "Shampoo",
                "pump_bottle",
                (8, 32),
                "A gentle, sulphate-free wash that leaves hair soft and light.",
                "scent",
                size=("250 ml", "500 ml", "1 L"),
            ),
            _t(
                "Conditioner",
                "bottle_flip",
                (8, 32),
                "Detangles and smooths without weighing hair down.",
                "scent",
                size=("250 ml", "500 ml"),
            ),
            _t(
                "Body Wash",
                "pump_bottle",
                (7, 29),
                "A creamy, skin-kind wash with plant-based cleansers.",
                "scent",
                size=("300 ml", "500 ml", "1 L"),
            ),
            _t(
                "Hand Cream",
                "tube",
                (6, 24),
                "Rich but never greasy, with shea butter and glycerin.",
                "scent",
                size=("30 ml", "75 ml"),
            ),
        ),
        attributes={
            "scent": ("Unscented", "Cedar & Sage", "Citrus", "Lavender", "Sea Salt", "Fig"),
            "size": ("250 ml",),
            "vegan": ("Yes",),
        },
        hue=320,
    ),
    # ── Garden (no subcategories) ──────────────────────────────────────────────
    DemoCategory(
        "Garden",
        "garden",
        "Planters, tools and everything for the balcony and the garden.",
        code="GAR",
        weight=28,
        brands=("Greenhand", "Terra Verde"),
        lines=("Allotment", "Balcony", "Cottage", "Meadow", "Potting Shed"),
        types=(
            _t(
                "Terracotta Plant Pot",
                "plant_pot",
                (9, 69),
                "Frost-resistant terracotta with a drainage hole and a matching saucer.",
                "size",
                material=("Terracotta",),
                size=("12 cm", "17 cm", "24 cm", "32 cm"),
            ),
            _t(
                "Galvanised Watering Can",
                "watering_can",
                (19, 59),
                "A long spout and a brass rose for a gentle, even shower.",
                "capacity",
                capacity=("2 L", "5 L", "9 L"),
                material=("Galvanised Steel",),
            ),
            _t(
                "Bypass Pruning Shears",
                "shears",
                (14, 69),
                "Clean cuts on living stems up to 20 mm, with replaceable blades.",
                "colour",
                material=("Carbon Steel",),
            ),
            _t(
                "Wooden Bird Feeder",
                "bird_feeder",
                (19, 69),
                "An FSC-certified cedar feeder with a squirrel-resistant roof.",
                "colour",
                material=("Cedar",),
            ),
        ),
        attributes={
            "colour": ("Terracotta", "Sage", "Forest Green", "Mustard", "Stone", "Rust"),
            "material": ("Terracotta",),
            "size": ("One size",),
        },
        hue=95,
    ),
    # ── Pets (no subcategories) ────────────────────────────────────────────────
    DemoCategory(
        "Pets",
        "pets",
        "Beds, bowls, toys and leads for dogs and cats.",
        code="PET",
        weight=26,
        brands=("Good Boy Goods", "Whisker & Paw", "Tailwind Pet"),
        lines=("Cosy", "Snug", "Urban", "Explorer", "Playtime"),
        types=(
            _t(
                "Orthopaedic Dog Bed",
                "pet_bed",
                (49, 199),
                "Memory foam and raised bolsters for a good night's sleep, with a washable cover.",
                "size",
                size=("S", "M", "L", "XL"),
            ),
            _t(
                "Ceramic Pet Bowl",
                "pet_bowl",
                (12, 39),
                "A heavy, non-slip stoneware bowl that won't travel across the floor.",
                "colour",
                size=("0.4 L", "0.8 L", "1.5 L"),
                material=("Stoneware",),
            ),
            _t(
                "Cat Scratching Post",
                "scratcher",
                (29, 119),
                "Natural sisal and a weighted base that stays upright under claws.",
                "colour",
                size=("60 cm", "80 cm", "100 cm"),
                material=("Sisal",),
            ),
            _t(
                "Reflective Dog Lead",
                "leash",
                (14, 49),
                "A soft, padded handle and reflective stitching for evening walks.",
                "colour",
                size=("1.2 m", "1.5 m", "2 m"),
                material=("Recycled Nylon",),
            ),
            _t(
                "Treat Puzzle Ball",
                "pet_ball",
                (9, 24),
                "Keeps clever dogs busy: a bouncing ball that drops treats as it rolls.",
                "colour",
                size=("S", "M", "L"),
                material=("Natural Rubber",),
            ),
        ),
        attributes={
            "colour": ("Sage", "Rust", "Navy", "Mustard", "Sand", "Charcoal", "Coral"),
            "size": ("S", "M", "L"),
            "material": ("Cotton Canvas",),
        },
        hue=45,
    ),
)

CLOSINGS = (
    "Covered by a two-year warranty.",
    "Free returns within 30 days.",
    "Ships in plastic-free packaging.",
    "Spare parts are available for ten years.",
    "Designed to be repaired, not replaced.",
    "Made in small batches.",
    "Carbon-neutral delivery.",
)

_BRANDS_BY_NAME = {brand.name: brand for brand in DEMO_BRANDS}
_ROMAN = ("", "", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
# How an attribute reads at the end of a product name ("…, 2–4 Players").
_VARIANT_FORMATS = {
    "players": "{} Players",
    "fit": "{} Fit",
    "comfort_rating": "{} Comfort",
    "difficulty": "{} Difficulty",
}


def _model(line: str, generation: int) -> str:
    """Repeats of a brand × line × type get successor models: Aero, Aero II … Aero X, Aero 11."""
    if generation == 0:
        return line
    number = generation + 1
    return f"{line} {_ROMAN[number] if number < len(_ROMAN) else number}"


def sku_prefix(seed: int) -> str:
    """Catalogs of other seeds get their own SKUs, so they can live side by side."""
    return "" if seed == DEFAULT_SEED else f"S{seed}-"


def leaf_categories() -> tuple[DemoCategory, ...]:
    return tuple(category for category in DEMO_CATEGORIES if category.is_leaf)


def leaf_counts(size: int) -> dict[str, int]:
    """How many products each leaf category gets: proportional to its weight (largest
    remainder), so the counts always add up to `size`."""
    leaves = leaf_categories()
    total = sum(leaf.weight for leaf in leaves)
    exact = {leaf.slug: size * leaf.weight / total for leaf in leaves}
    counts = {slug: math.floor(share) for slug, share in exact.items()}
    remainder = size - sum(counts.values())
    by_remainder = sorted(exact, key=lambda slug: (counts[slug] - exact[slug], slug))
    for slug in by_remainder[:remainder]:
        counts[slug] += 1
    return counts


def _price(rng: random.Random, low: int, high: int, factor: float) -> Decimal:
    """Log-uniform in the range, then rounded the way shops price: 349.99, 24.95, 12.49."""
    raw = math.exp(rng.uniform(math.log(low), math.log(high))) * factor
    ending = rng.random()
    if raw >= 100:
        whole = max(round(raw / 10) * 10 - 1, 1)
        cents = "0.99" if ending < 0.8 else "0.00"
    else:
        whole = max(math.floor(raw), 1)
        cents = "0.99" if ending < 0.65 else "0.95" if ending < 0.8 else "0.49"
    return Decimal(whole) + Decimal(cents)


def _stock(rng: random.Random) -> int:
    """About 8% sold out, 10% nearly (1–5), the rest a long tail up to a few hundred."""
    roll = rng.random()
    if roll < 0.08:
        return 0
    if roll < 0.18:
        return rng.randint(1, 5)
    if roll < 0.75:
        return rng.randint(6, 40)
    if roll < 0.95:
        return rng.randint(41, 150)
    return rng.randint(151, 600)


def _attributes(
    rng: random.Random, category: DemoCategory, product_type: ProductType
) -> dict[str, str]:
    choices = {**category.attributes, **product_type.attributes}
    return {name: rng.choice(values) for name, values in choices.items() if values}


def _description(
    rng: random.Random, product_type: ProductType, brand: DemoBrand, attributes: dict[str, str]
) -> str:
    details = ", ".join(f"{name.replace('_', ' ')} {value}" for name, value in attributes.items())
    closing = rng.sample(CLOSINGS, 2)
    return " ".join(
        (product_type.blurb, f"At a glance: {details}.", brand.story, closing[0], closing[1])
    )


def _leaf_products(category: DemoCategory, seed: int, count: int) -> Iterator[DemoProduct]:
    # One generator per leaf: the first n products of a leaf are the same for every size.
    rng = random.Random(f"{seed}:{category.slug}")  # noqa: S311  (demo data, not security)
    combinations = [
        (brand, line, product_type)
        for brand in category.brands
        for line in category.lines
        for product_type in category.types
    ]
    rng.shuffle(combinations)
    for number in range(count):
        brand_name, line, product_type = combinations[number % len(combinations)]
        generation = number // len(combinations)
        brand = _BRANDS_BY_NAME[brand_name]
        attributes = _attributes(rng, category, product_type)
        name = f"{brand.name} {_model(line, generation)} {product_type.name}"
        if product_type.variant and product_type.variant in attributes:
            shown = _VARIANT_FORMATS.get(product_type.variant, "{}")
            name += ", " + shown.format(attributes[product_type.variant])
        sku = f"{sku_prefix(seed)}{category.code}-{number + 1:05d}"
        roll = rng.random()
        options, variants = _variants_of(category, product_type, attributes, sku, seed)
        if variants:
            # Its sizes (and colours) are options now: not in its name or its attributes.
            if any(option == "Colour" for option, _ in options):
                name = f"{brand.name} {_model(line, generation)} {product_type.name}"
            attributes = {
                key: value
                for key, value in attributes.items()
                if key not in ("size", "colour") or (key == "colour" and len(options) == 1)
            }
        price = _price(rng, *product_type.price, brand.price_factor)
        stock = _stock(rng)  # drawn for every product: the ones after it stay the same
        if variants:
            stock = sum(variant.stock_quantity for variant in variants)
        yield DemoProduct(
            category_slug=category.slug,
            sku=sku,
            slug=product_slug(name, sku),
            name=name,
            description=_description(rng, product_type, brand, attributes),
            brand=brand.name,
            price=price,
            stock_quantity=stock,
            attributes=attributes,
            shape=product_type.shape,
            hue=category.hue,
            # One picture per colour for a product sold in colours.
            image_count=next(
                (len(values) for option, values in options if option == "Colour"),
                1 if roll < 0.45 else 2 if roll < 0.8 else 3,
            ),
            age_minutes=rng.randint(0, 365 * 24 * 60),
            options=options,
            variants=tuple(
                DemoVariant(v.sku, v.option_values, price + v.price, v.stock_quantity)
                for v in variants
            ),
        )


def _variants_of(
    category: DemoCategory,
    product_type: ProductType,
    attributes: dict[str, str],
    sku: str,
    seed: int,
) -> tuple[tuple[tuple[str, tuple[str, ...]], ...], tuple[DemoVariant, ...]]:
    """A product's options and variants (prices as surcharges over its own price), or
    nothing for a product sold as one. A generator of its own (seeded by the SKU), so
    the rest of the catalog draws exactly as before."""
    plan = VARIANT_SIZES.get(category.slug)
    if plan is None:
        return (), ()
    sizes, merge_colours = plan
    own_sizes = product_type.attributes.get("size") or category.attributes.get("size") or ()
    sizes = sizes if sizes is not None else own_sizes
    if len(sizes) < 2:
        return (), ()
    rng = random.Random(f"{seed}:variants:{sku}")  # noqa: S311  (demo data, not security)
    options: list[tuple[str, tuple[str, ...]]] = []
    palette = product_type.attributes.get("colour") or category.attributes.get("colour") or ()
    if merge_colours and len(palette) >= 2:
        first = attributes.get("colour", palette[0])
        others = [colour for colour in palette if colour != first]
        options.append(("Colour", (first, *rng.sample(others, min(2, len(others))))))
    options.append(("Size", tuple(sizes)))
    combinations: list[tuple[str, ...]] = [()]
    for _name, values in options:
        combinations = [(*done, value) for done in combinations for value in values]
    variants = []
    for combination in combinations:
        size = combination[-1]
        suffix = "-".join(
            "".join(ch for ch in value.upper() if ch.isalnum())[:6] for value in combination
        )
        roll = rng.random()
        stock = 0 if roll < 0.15 else rng.randint(1, 5) if roll < 0.3 else rng.randint(6, 40)
        variants.append(
            DemoVariant(
                sku=f"{sku}-{suffix}"[:50],
                option_values=combination,
                price=SIZE_SURCHARGES.get(size, Decimal(0)),
                stock_quantity=stock,
            )
        )
    return tuple(options), tuple(variants)


def demo_products(seed: int = DEFAULT_SEED, size: int = DEFAULT_SIZE) -> Iterator[DemoProduct]:
    """The demo catalog's products, leaf category by leaf category, always in the same order."""
    if not 0 <= size <= MAX_SIZE:
        msg = f"size must be between 0 and {MAX_SIZE}"
        raise ValueError(msg)
    counts = leaf_counts(size)
    for category in leaf_categories():
        yield from _leaf_products(category, seed, counts[category.slug])


def demo_brand_names() -> tuple[str, ...]:
    return tuple(brand.name for brand in DEMO_BRANDS)
