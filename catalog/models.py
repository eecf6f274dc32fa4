"""SQLAlchemy models of what a shop really has.

Money is stored as Numeric(12, 2) and handled as Decimal so prices quoted to shoppers are exact.
`search_text` is a denormalised blob (brand, categories, attributes, description) kept up to date by
the writer; the lexical index (FTS5 / tsvector) is built over `name` and `search_text`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

Money = Numeric(12, 2)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Category(Base):
    __tablename__ = "categories"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Full path from the root, "/"-joined: "Women/Tops/Jackets". Unique; descendants share the prefix.
    path: Mapped[str] = mapped_column(String(1000), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id", ondelete="CASCADE"), index=True)
    parent: Mapped[Category | None] = relationship(remote_side=[id])


class Brand(Base):
    __tablename__ = "brands"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class ProductCategory(Base):
    __tablename__ = "product_categories"
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Product(Base):
    __tablename__ = "products"
    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    product_type: Mapped[str] = mapped_column(String(30), default="simple")  # simple | configurable
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brands.id"), index=True)
    price: Mapped[Decimal] = mapped_column(Money, index=True)
    special_price: Mapped[Decimal | None] = mapped_column(Money)
    special_from: Mapped[dt.date | None] = mapped_column(Date)
    special_to: Mapped[dt.date | None] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    gender: Mapped[str | None] = mapped_column(String(10), index=True)  # women | men | kids | unisex
    stock_qty: Mapped[int | None] = mapped_column(Integer)  # None: the shop does not track stock
    in_stock: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    visible: Mapped[bool] = mapped_column(Boolean, default=True)
    rating_avg: Mapped[float | None] = mapped_column()
    rating_count: Mapped[int] = mapped_column(Integer, default=0)
    search_text: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(50), default="")
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    brand: Mapped[Brand | None] = relationship(lazy="joined")
    variants: Mapped[list[Variant]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="Variant.id"
    )
    images: Mapped[list[ProductImage]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="ProductImage.position"
    )
    attributes: Mapped[list[ProductAttribute]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="ProductAttribute.id"
    )
    categories: Mapped[list[Category]] = relationship(secondary="product_categories", order_by="Category.path")

    def effective_price(self, today: dt.date | None = None) -> Decimal:
        """The price a shopper pays today: the special price while it applies, else the regular one."""
        return effective_price(self.price, self.special_price, self.special_from, self.special_to,
                               today or dt.date.today())


def effective_price(price: Decimal, special: Decimal | None, special_from: dt.date | None,
                    special_to: dt.date | None, today: dt.date) -> Decimal:
    """`Product.effective_price` from the columns themselves (for code reading rows, not objects)."""
    applies = (
        special is not None
        and special < price
        and (special_from is None or special_from <= today)
        and (special_to is None or today <= special_to)
    )
    return special if applies and special is not None else price


class Variant(Base):
    """A purchasable variation (size/colour) of a configurable product."""

    __tablename__ = "variants"
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    sku: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(500), default="")
    size: Mapped[str | None] = mapped_column(String(50), index=True)
    color: Mapped[str | None] = mapped_column(String(50), index=True)
    price: Mapped[Decimal | None] = mapped_column(Money)  # None: same as the parent's
    stock_qty: Mapped[int | None] = mapped_column(Integer)
    in_stock: Mapped[bool] = mapped_column(Boolean, default=True)
    product: Mapped[Product] = relationship(back_populates="variants")


class ProductAttribute(Base):
    """One value of a (possibly multi-valued) attribute: material=Wool, climate=Cool, ..."""

    __tablename__ = "product_attributes"
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    value: Mapped[str] = mapped_column(String(500))
    product: Mapped[Product] = relationship(back_populates="attributes")
    __table_args__ = (
        UniqueConstraint("product_id", "name", "value", name="uq_product_attribute"),
        Index("ix_attr_name_value", "name", "value"),
    )


class ProductImage(Base):
    __tablename__ = "product_images"
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    uri: Mapped[str] = mapped_column(String(2000))  # absolute file path or http(s) URL
    role: Mapped[str] = mapped_column(String(20), default="base")  # base | additional | variant
    position: Mapped[int] = mapped_column(Integer, default=0)
    label: Mapped[str] = mapped_column(String(500), default="")
    color: Mapped[str | None] = mapped_column(String(50))  # the colour this photo shows, when known
    product: Mapped[Product] = relationship(back_populates="images")
    __table_args__ = (UniqueConstraint("product_id", "uri", name="uq_product_image"),)


class ProductLink(Base):
    __tablename__ = "product_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    linked_product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # related | upsell | crosssell
    position: Mapped[int] = mapped_column(Integer, default=0)
    __table_args__ = (UniqueConstraint("product_id", "linked_product_id", "kind", name="uq_product_link"),)


class Review(Base):
    __tablename__ = "reviews"
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    # Stable identity for idempotent re-imports (hash of source, sku, reviewer, title, text).
    external_key: Mapped[str] = mapped_column(String(64), unique=True)
    rating: Mapped[int] = mapped_column(Integer)  # 1..5
    title: Mapped[str] = mapped_column(String(500), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    reviewer: Mapped[str] = mapped_column(String(200), default="")
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Customer(Base):
    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    first_name: Mapped[str] = mapped_column(String(200), default="")
    last_name: Mapped[str] = mapped_column(String(200), default="")
    gender: Mapped[str | None] = mapped_column(String(20))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    city: Mapped[str] = mapped_column(String(200), default="")
    region: Mapped[str] = mapped_column(String(200), default="")
    country: Mapped[str] = mapped_column(String(2), default="")
    postcode: Mapped[str] = mapped_column(String(20), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Order(Base):
    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(50), unique=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(30), default="pending")
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    shipping_method: Mapped[str] = mapped_column(String(100), default="")
    payment_method: Mapped[str] = mapped_column(String(100), default="")
    total: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)  # when this row was written
    placed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)  # the source's order date, if it has one
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id"
    )


class OrderLine(Base):
    __tablename__ = "order_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("variants.id", ondelete="SET NULL"))
    sku: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(500), default="")
    qty: Mapped[int] = mapped_column(Integer, default=1)
    unit_price: Mapped[Decimal] = mapped_column(Money)
    order: Mapped[Order] = relationship(back_populates="lines")


class Document(Base):
    """Store policies and FAQ entries (shipping, returns, sizing...)."""

    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="policy")  # policy | faq
    title: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)


INTERACTION_EVENTS = ("view", "click", "add_to_cart", "remove_from_cart", "purchase", "like", "dislike", "impression")


class Interaction(Base):
    """A logged shopper event. `user_id` is a keyed pseudonym of the shopper's id (catalog/privacy.py), never the id itself."""

    __tablename__ = "interactions"
    id: Mapped[int] = mapped_column(primary_key=True)
    event: Mapped[str] = mapped_column(String(20), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("variants.id", ondelete="SET NULL"))
    user_id: Mapped[str | None] = mapped_column(String(100), index=True)
    session_id: Mapped[str | None] = mapped_column(String(100), index=True)
    query: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int | None] = mapped_column(Integer)
    context: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, server_default=func.now(), index=True)


class ImportRun(Base):
    """One `catalog import`, for auditing what changed."""

    __tablename__ = "import_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(2000))
    format: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    stats: Mapped[dict | None] = mapped_column(JSON)


class CatalogState(Base):
    """One row: `version` is bumped by every import that changes the catalog, in the import's own
    transaction, so a cache in another process sees exactly which commits it has not yet seen."""

    __tablename__ = "catalog_state"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # the HMAC key behind the pseudonymous user ids of the interaction log (catalog/privacy.py)
    log_key: Mapped[str | None] = mapped_column(String(64))


class ChatSession(Base):
    """A conversation: its dialogue state (current intent, products shown, cart) survives restarts."""

    __tablename__ = "chat_sessions"
    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    user_id: Mapped[str | None] = mapped_column(String(100), index=True)
    state: Mapped[dict] = mapped_column(JSON, default=dict)
    # bumped by every save; a save from an older version lost a race and is refused (SessionBusyError)
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class ChatTurn(Base):
    __tablename__ = "chat_turns"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("chat_sessions.id", ondelete="CASCADE"), index=True)
    user_text: Mapped[str] = mapped_column(Text)
    reply_text: Mapped[str] = mapped_column(Text, default="")
    intent: Mapped[dict | None] = mapped_column(JSON)
    product_ids: Mapped[list | None] = mapped_column(JSON)
    timings_ms: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
