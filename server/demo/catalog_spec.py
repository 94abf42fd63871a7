"""The demo catalog as plain data: products, SKUs, barcodes, lots and kits, drawn from a seeded RNG.

Pure (no database), so it is the same on every run and can be inspected in a test. Only lot dates
depend on ``today`` — a demo whose "expiring soon" lots expired last year shows nothing useful — and
the RNG draws never do, so the structure (codes, names, how many lots each SKU has, which lots are
the near-expiry ones) is identical whatever the day.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from server.catalog.gtin import gtin_check_digit
from server.demo.vocab import AXES, CATEGORIES, KIT_BRAND, KITS, Category, Option, ProductType

SOON_LOTS = 8
"""Lots that expire within a month of ``today`` (临期): what a FEFO demo and an expiry alert show."""
EXPIRED_LOTS = 2
"""Lots already past their date, still on the shelf: what an expiry report must catch."""
NET_GRAMS = {"250G": 250, "500G": 500, "1KG": 1000}


@dataclass(frozen=True, slots=True)
class LotSpec:
    lot_number: str
    manufactured_on: date
    expires_on: date


@dataclass(frozen=True, slots=True)
class SkuSpec:
    code: str
    category: str
    """The category prefix (``FZ``, ``SP`` …): stock planning and kits group by it."""
    name_zh: str
    name_en: str
    attributes: dict[str, str]
    unit: str
    weight_g: int
    dims_mm: tuple[int, int, int]
    standard_cost_minor: int
    ean13: str
    case_gtin: str | None = None
    case_qty: int = 0
    shelf_life_days: int | None = None
    lots: tuple[LotSpec, ...] = ()
    """Sorted by lot number (that is, by manufacture date): the stock plan names lots by position."""
    zone: str = "A"
    qty: tuple[int, int] = (0, 0)
    components: tuple[tuple[str, int], ...] = ()

    @property
    def lot_controlled(self) -> bool:
        return self.shelf_life_days is not None

    @property
    def is_kit(self) -> bool:
        return bool(self.components)


@dataclass(frozen=True, slots=True)
class ProductSpec:
    code: str
    name_zh: str
    name_en: str
    brand: str
    category: str
    skus: tuple[SkuSpec, ...]


@dataclass(frozen=True, slots=True)
class CatalogSpec:
    products: tuple[ProductSpec, ...]

    def skus(self) -> list[SkuSpec]:
        return [sku for product in self.products for sku in product.skus]


@dataclass
class _Gtins:
    """Hands out EAN-13s under one Chinese (690–699) company prefix per brand."""

    rng: random.Random
    prefixes: dict[str, str] = field(default_factory=dict)
    next_item: dict[str, int] = field(default_factory=dict)

    def ean13(self, brand: str) -> str:
        prefix = self.prefixes.get(brand)
        if prefix is None:
            taken = set(self.prefixes.values())
            while prefix is None or prefix in taken:
                prefix = f"69{self.rng.randint(0, 9)}{self.rng.randint(0, 9999):04d}"
            self.prefixes[brand] = prefix
            self.next_item[brand] = self.rng.randint(1, 500)
        item = self.next_item[brand]
        self.next_item[brand] = item + 1
        body = f"{prefix}{item:05d}"
        return body + gtin_check_digit(body)


def case_gtin(ean13: str) -> str:
    """The carton's GTIN-14: indicator digit 1, the item's first twelve digits, a new check digit."""
    body = "1" + ean13[:12]
    return body + gtin_check_digit(body)


def build_catalog(rng: random.Random, today: date) -> CatalogSpec:
    gtins = _Gtins(rng)
    products: list[ProductSpec] = []
    for category in CATEGORIES:
        products.extend(_category_products(rng, gtins, category))
    products = _with_lots(rng, products, today)
    products.extend(_kits(rng, gtins, products))
    return CatalogSpec(tuple(products))


def _category_products(rng: random.Random, gtins: _Gtins, category: Category) -> list[ProductSpec]:
    products: list[ProductSpec] = []
    names: set[str] = set()
    made = 0
    while made < category.sku_quota:
        kind = rng.choice(category.types)
        brand = rng.choice(category.brands)
        for _ in range(6):  # a few draws to avoid two products with the very same name
            descriptor = rng.choice(category.descriptors)
            audience = rng.choice(category.audiences) if category.audiences and kind.for_adults else ("", "")
            name_zh = f"{brand[0]} {descriptor[0]}{audience[0]}{kind.zh}"
            if name_zh not in names:
                break
        names.add(name_zh)
        name_en = " ".join(part for part in (brand[1], descriptor[1], audience[1], kind.en) if part)
        code = f"{category.prefix}{len(products) + 1:04d}"
        variants = _variants(rng, kind)[: category.sku_quota - made]
        base_weight = rng.randint(*kind.weight_g)
        base_cost = rng.randint(kind.cost_yuan[0] * 100, kind.cost_yuan[1] * 100) // 10 * 10
        skus = tuple(
            _sku(rng, gtins, category, kind, brand[0], code, name_zh, name_en, variant, base_weight, base_cost)
            for variant in variants
        )
        products.append(
            ProductSpec(
                code=code,
                name_zh=name_zh,
                name_en=name_en,
                brand=brand[0],
                category=f"{category.zh}/{kind.zh}",
                skus=skus,
            )
        )
        made += len(skus)
    return products


def _variants(rng: random.Random, kind: ProductType) -> list[tuple[tuple[str, Option], ...]]:
    """Every combination of the chosen values of each axis (colours × sizes …), in catalogue order."""
    chosen: list[list[tuple[str, Option]]] = []
    for axis_name in kind.axes:
        axis = AXES[axis_name]
        count = min(rng.randint(*axis.pick), len(axis.options))
        if axis.consecutive:
            start = rng.randint(0, len(axis.options) - count)
            values = list(axis.options[start : start + count])
        else:
            values = sorted(rng.sample(axis.options, count), key=axis.options.index)
        chosen.append([(axis.key, value) for value in values])
    return list(itertools.product(*chosen))


def _sku(
    rng: random.Random,
    gtins: _Gtins,
    category: Category,
    kind: ProductType,
    brand: str,
    product_code: str,
    name_zh: str,
    name_en: str,
    variant: tuple[tuple[str, Option], ...],
    base_weight: int,
    base_cost: int,
) -> SkuSpec:
    net = next((NET_GRAMS[option[2]] for _, option in variant if option[2] in NET_GRAMS), None)
    weight = net + rng.randint(15, 60) if net is not None else base_weight + rng.randint(0, base_weight // 20)
    dims = tuple(d + rng.randint(-d // 8, d // 8) for d in kind.dims_mm)
    ean = gtins.ean13(brand)
    has_case = rng.random() < category.case_share
    return SkuSpec(
        code=f"{product_code}-" + "-".join(option[2] for _, option in variant),
        category=category.prefix,
        name_zh=f"{name_zh} " + " ".join(option[0] for _, option in variant),
        name_en=f"{name_en}, " + " / ".join(option[1] for _, option in variant),
        attributes={key: option[0] for key, option in variant},
        unit=kind.unit,
        weight_g=weight,
        dims_mm=(dims[0], dims[1], dims[2]),
        standard_cost_minor=base_cost + base_cost * rng.randint(0, 8) // 100 // 10 * 10,
        ean13=ean,
        case_gtin=case_gtin(ean) if has_case else None,
        case_qty=rng.choice(category.case_packs) if has_case else 0,
        shelf_life_days=kind.shelf_life_days,
        zone=kind.zone,
        qty=kind.qty,
    )


def _with_lots(rng: random.Random, products: list[ProductSpec], today: date) -> list[ProductSpec]:
    """Give every lot-controlled SKU one to three lots; make a few near expiry and two expired.

    Ages are drawn as fractions of the shelf life, so yoghurt (21 days) and milk powder (two years)
    both look fresh-ish; the near-expiry and expired lots are chosen among long-life goods, where a
    lot that old is a real mistake worth showing.
    """
    lives = {s.code: s.shelf_life_days for p in products for s in p.skus if s.shelf_life_days is not None}
    ages: dict[str, list[int]] = {}
    for code, life in lives.items():
        count = rng.choice((1, 1, 1, 1, 1, 2, 2, 2, 3, 3))
        ages[code] = sorted({rng.randint(max(1, life * 5 // 100), max(2, life * 60 // 100)) for _ in range(count)})
    long_life = sorted(code for code, life in lives.items() if life >= 120)
    for index, code in enumerate(rng.sample(long_life, SOON_LOTS + EXPIRED_LOTS)):
        oldest = lives[code] - rng.randint(5, 30) if index < SOON_LOTS else lives[code] + rng.randint(3, 20)
        ages[code] = sorted({*ages[code][:-1], oldest})

    def lots_of(sku: SkuSpec) -> tuple[LotSpec, ...]:
        if sku.shelf_life_days is None:
            return ()
        made = sorted(today - timedelta(days=age) for age in ages[sku.code])
        # Same-day lots would share a number; the letter tells them apart (20260315A, 20260315B).
        letters: dict[date, int] = {}
        specs = []
        for day in made:
            letters[day] = letters.get(day, -1) + 1
            specs.append(
                LotSpec(
                    lot_number=f"{day:%Y%m%d}{'ABCDEF'[letters[day]]}",
                    manufactured_on=day,
                    expires_on=day + timedelta(days=sku.shelf_life_days),
                )
            )
        return tuple(sorted(specs, key=lambda lot: lot.lot_number))

    return [replace(p, skus=tuple(replace(s, lots=lots_of(s)) for s in p.skus)) for p in products]


def _kits(rng: random.Random, gtins: _Gtins, products: list[ProductSpec]) -> list[ProductSpec]:
    """Gift sets (组合装) of SKUs of one category; a kit has no stock, selling it consumes its parts."""
    by_category: dict[str, list[SkuSpec]] = {}
    for sku in (s for p in products for s in p.skus):
        by_category.setdefault(sku.category, []).append(sku)
    names = {c.prefix: c.zh for c in CATEGORIES}
    kits: list[ProductSpec] = []
    for number, (name_zh, name_en, prefix, size) in enumerate(KITS, start=1):
        parts = rng.sample(by_category[prefix], size)
        lines = tuple((part.code, rng.choice((1, 1, 1, 2))) for part in parts)
        code = f"ZH{number:04d}"
        full_zh, full_en = f"{KIT_BRAND[0]} {name_zh} 组合装", f"{KIT_BRAND[1]} {name_en} (kit)"
        sku = SkuSpec(
            code=f"{code}-01",
            category=prefix,
            name_zh=full_zh,
            name_en=full_en,
            attributes={"kit": "组合装"},
            unit="套",
            weight_g=sum(p.weight_g * q for p, (_, q) in zip(parts, lines, strict=True)) + 150,
            dims_mm=(320, 240, 120),
            standard_cost_minor=sum(p.standard_cost_minor * q for p, (_, q) in zip(parts, lines, strict=True)),
            ean13=gtins.ean13(KIT_BRAND[0]),
            components=lines,
        )
        kits.append(
            ProductSpec(
                code=code,
                name_zh=full_zh,
                name_en=full_en,
                brand=KIT_BRAND[0],
                category=f"{names[prefix]}/组合装",
                skus=(sku,),
            )
        )
    return kits
