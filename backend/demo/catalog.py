"""A small, deterministic demo catalog: the same products, prices and stock on every run."""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class DemoCategory:
    name: str
    slug: str
    description: str
    brands: tuple[str, ...]
    items: tuple[str, ...]
    price_range: tuple[int, int]
    attributes: dict[str, tuple[str, ...]]


DEMO_CATEGORIES: tuple[DemoCategory, ...] = (
    DemoCategory(
        "Audio",
        "audio",
        "Headphones, speakers and everything that makes a sound.",
        ("Sonora", "Auralis", "Beacon Audio"),
        (
            "Wireless Headphones",
            "Bookshelf Speaker",
            "Noise-Cancelling Earbuds",
            "Portable Bluetooth Speaker",
            "Studio Monitor Headphones",
            "Soundbar",
            "Turntable",
            "USB Microphone",
        ),
        (25, 400),
        {"colour": ("black", "white", "slate", "sand")},
    ),
    DemoCategory(
        "Kitchen",
        "kitchen",
        "Tools and cookware for people who like to cook.",
        ("Ferro", "Copperleaf", "Hearthline"),
        (
            "Cast Iron Skillet",
            "Chef's Knife",
            "Pour-Over Coffee Kettle",
            "Stand Mixer",
            "Bamboo Cutting Board",
            "Dutch Oven",
            "Espresso Grinder",
            "Spice Rack",
        ),
        (12, 350),
        {"material": ("steel", "cast iron", "bamboo", "enamel")},
    ),
    DemoCategory(
        "Outdoor",
        "outdoor",
        "Gear for trails, camps and long weekends outside.",
        ("Ridgeway", "Northpine", "Tern Outfitters"),
        (
            "Trail Backpack 30L",
            "Two-Person Tent",
            "Insulated Water Bottle",
            "Headlamp",
            "Camping Stove",
            "Down Sleeping Bag",
            "Trekking Poles",
            "Folding Camp Chair",
        ),
        (15, 320),
        {"colour": ("forest", "ember", "stone", "navy")},
    ),
    DemoCategory(
        "Home Office",
        "home-office",
        "Desks, lamps and small things that make work easier.",
        ("Lumen & Co", "Deskwise", "Oakframe"),
        (
            "Adjustable Desk Lamp",
            "Ergonomic Office Chair",
            "Monitor Stand",
            "Mechanical Keyboard",
            "Wireless Mouse",
            "Desk Organiser",
            "Standing Desk Converter",
            "Notebook Set",
        ),
        (9, 450),
        {"material": ("oak", "aluminium", "felt", "walnut")},
    ),
    DemoCategory(
        "Apparel",
        "apparel",
        "Everyday clothing made to last.",
        ("Fieldnote", "Harbor Thread", "Woolmark North"),
        (
            "Merino Crew Sweater",
            "Rain Shell Jacket",
            "Canvas Work Pants",
            "Linen Shirt",
            "Wool Beanie",
            "Organic Cotton Tee",
            "Quilted Vest",
            "Leather Belt",
        ),
        (18, 260),
        {"size": ("S", "M", "L", "XL"), "colour": ("charcoal", "olive", "cream")},
    ),
    DemoCategory(
        "Games",
        "games",
        "Board games, puzzles and things to play together.",
        ("Meeple Works", "Tessellate", "Quill & Dice"),
        (
            "Strategy Board Game",
            "1000-Piece Puzzle",
            "Cooperative Card Game",
            "Chess Set",
            "Party Word Game",
            "Dice Tower",
            "Trivia Deck",
            "Wooden Labyrinth",
        ),
        (8, 120),
        {"players": ("1-2", "2-4", "2-6", "3-8")},
    ),
)


@dataclass(frozen=True)
class DemoProduct:
    category_slug: str
    sku: str
    name: str
    description: str
    brand: str
    price: Decimal
    stock_quantity: int
    attributes: dict[str, str]


def demo_products(seed: int = 20231026) -> list[DemoProduct]:
    """Eight products per category; about one in eight out of stock, some nearly sold out."""
    rng = random.Random(seed)  # noqa: S311  (deterministic demo data, not security)
    products: list[DemoProduct] = []
    for category_index, category in enumerate(DEMO_CATEGORIES):
        for item_index, item in enumerate(category.items):
            brand = category.brands[item_index % len(category.brands)]
            low, high = category.price_range
            price = Decimal(rng.randint(low * 100, high * 100)).scaleb(-2)
            # Prices end in .99 or .00 as shops do.
            price = price.quantize(Decimal(1)) - Decimal("0.01") if rng.random() < 0.7 else price
            stock_roll = rng.random()
            stock = (
                0
                if stock_roll < 0.12
                else rng.randint(1, 5)
                if stock_roll < 0.3
                else rng.randint(6, 120)
            )
            attributes = {name: rng.choice(values) for name, values in category.attributes.items()}
            products.append(
                DemoProduct(
                    category_slug=category.slug,
                    sku=f"DEMO-{category_index + 1:02d}{item_index + 1:03d}",
                    name=f"{brand} {item}",
                    description=(
                        f"The {item.lower()} from {brand}: built for everyday use, "
                        f"easy to care for, and covered by a two-year warranty."
                    ),
                    brand=brand,
                    price=max(price, Decimal("1.00")),
                    stock_quantity=stock,
                    attributes=attributes,
                )
            )
    return products
