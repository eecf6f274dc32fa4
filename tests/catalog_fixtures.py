"""A small store the catalog tests build themselves (no shared data needed)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from catalog.records import (
    CatalogData,
    CustomerRecord,
    LinkRecord,
    OrderLineRecord,
    OrderRecord,
    ProductRecord,
    ReviewRecord,
    VariantRecord,
)


def _variants(prefix: str, colors: list[str], sizes: list[str], out_of_stock: set[tuple[str, str]] = frozenset()) -> list[VariantRecord]:  # type: ignore[assignment]
    return [
        VariantRecord(
            sku=f"{prefix}-{s}-{c}",
            name=f"{prefix} {s} {c}",
            size=s,
            color=c,
            stock_qty=0 if (s, c) in out_of_stock else 10,
            in_stock=(s, c) not in out_of_stock,
        )
        for c in colors
        for s in sizes
    ]


def small_store() -> CatalogData:
    yesterday = dt.date.today() - dt.timedelta(days=1)
    products = [
        ProductRecord(
            sku="WJ01", name="Stellar Rain Jacket", price=Decimal("77.00"), brand="Luma", gender="women",
            product_type="configurable", categories=["Women/Tops/Jackets"],
            attributes={"material": ["Nylon"], "climate": ["Rainy", "Cool"]},
            variants=_variants("WJ01", ["Blue", "Red"], ["S", "M"], {("M", "Red")}),
            description="Waterproof shell for rainy runs.",
        ),
        ProductRecord(
            sku="WJ02", name="Nadia Elements Shell", price=Decimal("69.00"), special_price=Decimal("55.20"),
            special_from=yesterday, brand="Luma", gender="women", product_type="configurable",
            categories=["Women/Tops/Jackets"], attributes={"material": ["Polyester"]},
            variants=_variants("WJ02", ["Purple", "Black"], ["S", "M", "L"]),
        ),
        ProductRecord(
            sku="MJ01", name="Beaumont Summit Kit", price=Decimal("42.00"), brand="Luma", gender="men",
            product_type="configurable", categories=["Men/Tops/Jackets"], attributes={"material": ["Fleece"]},
            variants=_variants("MJ01", ["Red", "Yellow"], ["M", "L"]),
        ),
        ProductRecord(
            sku="MP01", name="Caesar Warm-Up Pant", price=Decimal("35.00"), brand="Luma", gender="men",
            product_type="configurable", categories=["Men/Bottoms/Pants"],
            variants=_variants("MP01", ["Black"], ["32", "34"], {("32", "Black"), ("34", "Black")}),
        ),
        ProductRecord(
            sku="24-MB01", name="Joust Duffle Bag", price=Decimal("34.00"), brand="Joust", stock_qty=100,
            categories=["Gear/Bags"], attributes={"color": ["Blue"], "material": ["Nylon", "Polyester"]},
        ),
        ProductRecord(
            sku="24-MB02", name="Fusion Backpack", price=Decimal("59.00"), brand="Fusion", stock_qty=0,
            in_stock=False, categories=["Gear/Bags"], attributes={"color": ["Gray"]},
        ),
        ProductRecord(
            sku="24-UG01", name="Quest Lumaflex Band", price=Decimal("19.00"), brand="Quest", stock_qty=5,
            categories=["Gear/Fitness Equipment"],
        ),
    ]
    return CatalogData(
        products=products,
        categories=["Collections/Eco Friendly"],
        reviews=[
            ReviewRecord(sku="WJ01", rating=5, title="Great", body="Kept me dry", reviewer="Ann"),
            ReviewRecord(sku="WJ01", rating=4, title="Good", body="Runs small", reviewer="Bo"),
            ReviewRecord(sku="24-MB01", rating=3, title="Ok", body="Fine bag", reviewer="Cy"),
        ],
        customers=[CustomerRecord(email="roni@example.com", first_name="Roni", last_name="Cost")],
        orders=[
            OrderRecord(
                number="T-1001", customer_email="roni@example.com", status="complete",
                lines=[OrderLineRecord(sku="WJ01", qty=1, size="S", color="Blue"), OrderLineRecord(sku="24-MB01", qty=2)],
            )
        ],
        links=[
            LinkRecord(sku="WJ01", linked_sku="24-MB01", kind="crosssell"),
            LinkRecord(sku="WJ01", linked_sku="WJ02", kind="related"),
        ],
    )


def catalog_at_revision(url: str, revision: str):  # type: ignore[no-untyped-def]
    """A catalog migrated only up to `revision` (an older install), and the alembic config to move it on."""
    from alembic import command

    from catalog.db import _alembic_config, make_engine

    engine = make_engine(url)
    cfg = _alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    return engine, cfg
