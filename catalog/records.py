"""Plain records that every importer produces and the writer stores.

Importers only parse and validate; `catalog.writer.sync_catalog` is the one place that touches the
database, inside one transaction, so a bad file can never leave a half-written catalog.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal


class CatalogImportError(Exception):
    """A user mistake in an import file: says which file, line and field, and what to do."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None, field: str | None = None):
        self.message = message
        self.file = file
        self.line = line
        self.field = field
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(str(self.file))
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field:
            where.append(f"field '{self.field}'")
        return (", ".join(where) + ": " if where else "") + self.message


@dataclass
class VariantRecord:
    sku: str
    name: str = ""
    size: str | None = None
    color: str | None = None
    price: Decimal | None = None  # None: same as the parent product
    stock_qty: int | None = None
    in_stock: bool = True


@dataclass
class ImageRecord:
    uri: str  # absolute file path or http(s) URL
    role: str = "base"  # base | additional | variant
    label: str = ""
    color: str | None = None


@dataclass
class ProductRecord:
    sku: str
    name: str
    price: Decimal
    description: str = ""  # plain text (importers strip HTML)
    product_type: str = "simple"
    brand: str | None = None
    special_price: Decimal | None = None
    special_from: dt.date | None = None
    special_to: dt.date | None = None
    currency: str = "USD"
    gender: str | None = None  # women | men | kids | unisex
    stock_qty: int | None = None
    in_stock: bool = True
    visible: bool = True
    categories: list[str] = field(default_factory=list)  # "/"-joined paths: "Women/Tops/Jackets"
    attributes: dict[str, list[str]] = field(default_factory=dict)  # lower-case name -> values
    variants: list[VariantRecord] = field(default_factory=list)
    images: list[ImageRecord] = field(default_factory=list)
    where: str = ""  # "file, line N" for error messages


@dataclass
class ReviewRecord:
    sku: str
    rating: int
    title: str = ""
    body: str = ""
    reviewer: str = ""
    customer_email: str | None = None
    where: str = ""


@dataclass
class CustomerRecord:
    email: str
    first_name: str = ""
    last_name: str = ""
    gender: str | None = None
    birth_date: dt.date | None = None
    city: str = ""
    region: str = ""
    country: str = ""
    postcode: str = ""


@dataclass
class OrderLineRecord:
    sku: str  # product or variant SKU
    qty: int = 1
    unit_price: Decimal | None = None  # None: the catalog price at import time
    size: str | None = None  # with a configurable parent SKU, picks the variant
    color: str | None = None


@dataclass
class OrderRecord:
    number: str
    customer_email: str | None
    lines: list[OrderLineRecord]
    status: str = "pending"
    currency: str = "USD"
    shipping_method: str = ""
    payment_method: str = ""
    created_at: dt.datetime | None = None
    where: str = ""


@dataclass
class LinkRecord:
    sku: str
    linked_sku: str
    kind: str  # related | upsell | crosssell
    position: int = 0


@dataclass
class DocumentRecord:
    slug: str
    title: str
    body: str
    kind: str = "policy"  # policy | faq


@dataclass
class SkippedRow:
    where: str
    reason: str


@dataclass
class CatalogData:
    """Everything one import brings. Order does not matter; the writer resolves references by SKU/email."""

    products: list[ProductRecord] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)  # paths that must exist even without products
    reviews: list[ReviewRecord] = field(default_factory=list)
    customers: list[CustomerRecord] = field(default_factory=list)
    orders: list[OrderRecord] = field(default_factory=list)
    links: list[LinkRecord] = field(default_factory=list)
    documents: list[DocumentRecord] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)  # filled only with --skip-bad-rows
