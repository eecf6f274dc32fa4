"""Plain records that every importer produces and the writer stores.

Importers only parse and validate; `catalog.writer.sync_catalog` is the one place that touches the
database, inside one transaction, so a bad file can never leave a half-written catalog.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal


class CatalogImportError(Exception):
    """A user mistake in an import file: says which file, line and field, and what to do.

    `message` may quote the file (the bad value, the header's columns) for whoever owns it: the CLI shows it
    (`str`). A message that quotes anything read from a file (or names a column or SKU found in it) must
    also pass `public`: the same advice without that text (and `quoted_field=True` when `field` is a name
    read from the file). The HTTP API shows only `public_str()`, since its caller may name any file the
    server can read (an import of /etc/passwd must not echo the file)."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
        public: str | None = None,
        quoted_field: bool = False,
    ):
        self.message = message
        self.file = file
        self.line = line
        self.field = field
        self.public = message if public is None else public
        self.quoted_field = quoted_field
        super().__init__(str(self))

    def _where(self, *, public: bool = False) -> str:
        where = []
        if self.file:
            where.append(str(self.file))
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field and not (public and self.quoted_field):
            where.append(f"field '{self.field}'")
        return ", ".join(where) + ": " if where else ""

    def __str__(self) -> str:
        return self._where() + self.message

    def public_str(self) -> str:
        """Where and what is wrong, and how to fix it, quoting nothing read from the file."""
        return self._where(public=True) + self.public


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
    reason: str  # may quote the file (see CatalogImportError)
    public: str | None = None  # "where: reason" quoting nothing read from a file; None: `where` and `reason` quote nothing
    sku: str | None = None  # a bad row's SKU, when it has one: it is in the file, so the catalog keeps what it has for it
    bad_row: bool = False  # a bad row of a products file (a category or review row never holds a product)

    def public_line(self) -> str:
        """What the HTTP API shows for this row."""
        return self.public if self.public is not None else f"{self.where}: {self.reason}"


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
    documents_complete: bool = False  # the documents are the shop's whole set: others are removed (policies import)
    skipped: list[SkippedRow] = field(default_factory=list)  # filled only with --skip-bad-rows

    @property
    def skipped_skus(self) -> set[str]:
        """SKUs of bad rows left out: in the file, but nothing of them imported (the writer leaves them as they are)."""
        return {s.sku for s in self.skipped if s.sku}
