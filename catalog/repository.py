"""Exact, parameterised catalog queries: the only way the assistant reads products.

Nothing here builds SQL from strings a user or an LLM wrote: every value is a bound parameter and
every filter is a SQLAlchemy expression. Lexical search uses the database's own full-text engine
(SQLite FTS5 with BM25, PostgreSQL tsvector) behind `lexical_search`.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    column,
    exists,
    false,
    func,
    literal_column,
    null,
    or_,
    select,
    table,
    union_all,
)
from sqlalchemy.orm import aliased

from catalog.categories import overlay_roots, product_type_category
from catalog.db import CatalogDB, unicode_lower, word_text
from catalog.models import (
    Brand,
    CatalogState,
    Category,
    Document,
    Interaction,
    OrderLine,
    Product,
    ProductAttribute,
    ProductCategory,
    ProductImage,
    ProductLink,
    Review,
    Variant,
    effective_price,
)
from catalog.privacy import redact_contact, user_pseudonym
from catalog.text import singular as english_singular

MAX_SQL_ID = 2**63 - 1  # the largest id SQL holds (SQLite INTEGER, PostgreSQL BIGINT)


_WORD_RE = re.compile(r"\w+")
CATALOG_CACHE_TTL_S = 30.0  # names edited in SQL without an import (no version bump) are seen within this long


def _unmarked(text: str) -> str:
    """The text without trademark signs, which shoppers do not type."""
    return text.replace("™", "").replace("®", "")


def storable_id(product_id: int) -> bool:
    """Whether a row could have this id: anything else is unknown, never an SQL overflow."""
    return isinstance(product_id, int) and 0 < product_id <= MAX_SQL_ID


SortKey = Literal["relevance", "price_asc", "price_desc", "rating", "newest", "popularity"]
SORT_KEYS: tuple[str, ...] = ("relevance", "price_asc", "price_desc", "rating", "newest", "popularity")

# How much each logged event says about interest in a product (popularity and CF use the same scale).
EVENT_WEIGHTS: dict[str, float] = {
    "view": 1.0,
    "click": 2.0,
    "like": 3.0,
    "add_to_cart": 4.0,
    "purchase": 8.0,
    "remove_from_cart": -1.0,
    "dislike": -3.0,
    # a product shown for a search (logged by the assistant, with the query and position): no interest by
    # itself, it is what the click model learns the passed-over from
    "impression": 0.0,
}
CHOSEN_EVENTS = ("click", "like", "add_to_cart", "purchase")

_TOKEN = re.compile(r"\w+", re.UNICODE)
_fts = table("product_fts", column("rowid"), column("name"), column("search_text"))


@dataclass
class ProductFilter:
    """Hard constraints. Empty lists / None mean 'no constraint'."""

    category: str | None = None  # a path ("Women/Tops") or a name ("Jackets"); includes descendants
    brands: list[str] = field(default_factory=list)
    min_price: Decimal | float | None = None
    max_price: Decimal | float | None = None
    colors: list[str] = field(default_factory=list)
    sizes: list[str] = field(default_factory=list)
    gender: str | None = None
    attributes: dict[str, list[str]] = field(default_factory=dict)  # name -> any of these values
    in_stock: bool = False
    on_sale: bool = False  # the special price applies today
    exclude_ids: list[int] = field(default_factory=list)
    # words that must not appear in the name or description; a brand's name excludes that brand's products
    exclude_terms: list[str] = field(default_factory=list)
    # colours the shopper does not want: a product stays only if it comes in some other colour (or says none)
    exclude_colors: list[str] = field(default_factory=list)
    ids: list[int] | None = None  # restrict to this candidate set
    # words a product must have, each, in its name or one of its attribute values ("they need to be waterproof": a
    # "Waterproof" feature; "has to have a hood": the style "Hooded"), never only in its free-text description
    must_words: list[str] = field(default_factory=list)


@dataclass
class ProductSummary:
    id: int
    sku: str
    name: str
    brand: str | None
    price: Decimal  # what the shopper pays today
    regular_price: Decimal
    currency: str
    in_stock: bool
    stock_qty: int | None
    rating_avg: float | None
    rating_count: int
    image: str | None
    categories: list[str]
    colors: list[str]
    sizes: list[str]
    gender: str | None
    attributes: dict[str, list[str]]
    description: str = ""
    created_at: dt.datetime | None = None

    @property
    def on_sale(self) -> bool:
        return self.price < self.regular_price


@dataclass
class _Parts:
    """A product's rows from its child tables, as `get_many` reads them."""

    variants: list[tuple[str | None, str | None]] = field(default_factory=list)  # (colour, size)
    images: list[tuple[str, str | None]] = field(default_factory=list)  # (uri, role)
    attributes: dict[str, list[str]] = field(default_factory=dict)
    categories: list[str] = field(default_factory=list)


@dataclass
class LexicalHit:
    product_id: int
    score: float  # higher is better


def charged_price_expr(variant: Any, product_price: ColumnElement[Any]) -> ColumnElement[Any]:
    """What a variant is charged at, in SQL: its own price where the shop prices it apart from its product, else
    `product_price` (the product's price today, its sale included)."""
    return case((and_(variant.price.is_not(None), variant.price != Product.price), variant.price), else_=product_price)


def effective_price_expr(today: dt.date) -> ColumnElement[Any]:
    """SQL for the price paid today (special price while it applies), for filtering and sorting."""
    special_applies = and_(
        Product.special_price.is_not(None),
        Product.special_price < Product.price,
        or_(Product.special_from.is_(None), Product.special_from <= today),
        or_(Product.special_to.is_(None), Product.special_to >= today),
    )
    return case((special_applies, Product.special_price), else_=Product.price)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def singular(word: str) -> str:
    """'shoes' -> 'shoe', 'boxes' -> 'box', 'hoods' -> 'hood' (what a word of a name begins with)."""
    w = word.lower()
    if re.search(r"(?:ch|sh|ss|x|z)es$", w):
        return w[:-2]
    return w[:-1] if w.endswith("s") and not w.endswith("ss") and len(w) > 3 else w


def units_of(variants: Sequence[tuple[str | None, str | None, int | None, bool]], size: str | None, color: str | None,
             product_qty: int | None, product_in_stock: bool) -> int | None:
    """How many can be sent in that size and colour, from a product's `variant_stock` rows, else (no variants) from its
    own count; None where the shop does not count them."""
    rows = [r for r in variants
            if (not size or (r[0] or "").lower() == size.lower()) and (not color or (r[1] or "").lower() == color.lower())]
    if rows:
        return None if any(r[3] and r[2] is None for r in rows) else sum(r[2] or 0 for r in rows if r[3])
    if size or color or variants:
        return None if size or color else 0  # sizes or colours only as attributes: not counted apart
    return None if product_qty is None else (int(product_qty) if product_in_stock else 0)


def has_word_starting(column: Any, stem: str) -> ColumnElement[bool]:
    """A word of the column's text begins with `stem` ("hood": "Hooded Parka", "a detachable hood", not
    "neighbourhood"), whatever the case, non-ASCII letters included."""
    low = unicode_lower(func.coalesce(column, ""))
    start, inner = _like_escape(stem) + "%", "% " + _like_escape(stem) + "%"
    return low.like(start, escape="\\") | low.like(inner, escape="\\")


# attributes that say whom or what a product is for, or when, never what it is or has: no must-have is checked on them
# ("it has to be warm" is no jacket whose climate is "Warm", i.e. for warm weather; "unisex" is the gender filter)
NOT_MUST_ATTRIBUTES = ("color", "colour", "colors", "colours", "size", "sizes", "gender", "genders", "sex", "climate", "climates",
                       "weather", "season", "seasons", "temperature", "activity", "activities", "occasion", "occasions", "sport",
                       "sports", "age", "age_group", "age group")
# one word family, said as its shortest member ("has to have a zipper": "Full-Zip", "Zippered")
_WORD_FAMILY = {"zipper": "zip", "zippers": "zip", "zippered": "zip", "zipped": "zip"}


def must_parts(phrase: str) -> list[str]:
    """The words of a must-have, as a catalog's text is matched ("V-neck" -> ["v", "neck"], "zipper" -> ["zip"]), the
    last one singular ("pockets" -> "pocket": it is matched as a word begun, so "Pocket" and "Pockets" both say it)."""
    parts = [_WORD_FAMILY.get(w, w) for w in re.findall(r"[^\W_]+", phrase.lower())]
    if parts and parts[-1].isalpha():
        parts[-1] = _WORD_FAMILY.get(last := english_singular(parts[-1]), last)
    return parts


def must_attribute(name: str) -> bool:
    """Whether a must-have may be met by this attribute (what a product is or has: features, materials, styles)."""
    return (name or "").strip().lower() not in NOT_MUST_ATTRIBUTES


def has_phrase(column: Any, phrase: str) -> ColumnElement[bool]:
    """The column's words, split at any character other than a letter or digit, have the phrase's words in a row, the
    last one begun ("hood": "Hooded"; "v-neck", "v neck", "vneck": "Tee (V-Neck)"; "long sleeve": "Long-Sleeve Tee");
    never inside a word ("neighbourhood")."""
    parts = must_parts(phrase)
    if not parts:
        return word_text(column).like("%")
    spaced = word_text(column).like(f"% {_like_escape(' '.join(parts))}%", escape="\\")
    return spaced | word_text(column, glued=True).like(f"% {_like_escape(''.join(parts))}%", escape="\\")


def query_tokens(text: str) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(text or "")]


# What a shopper asks a shop's service about, in the words shoppers and policy pages use (en, es, zh)
POLICY_TOPICS: dict[str, tuple[str, ...]] = {
    "shipping": ("ship", "ships", "shipping", "shipped", "deliver", "delivers", "delivery", "deliveries", "delivered", "arrive",
                 "arrives", "dispatch", "dispatched", "courier", "postage", "envío", "envio", "envíos", "entrega", "enviar",
                 "enviáis", "envían", "发货", "配送", "快递", "运费", "包邮", "到货", "寄"),
    "returns": ("return", "returns", "returned", "refund", "refunds", "exchange", "exchanges", "damaged", "broken", "defective",
                "devolución", "devoluciones", "devolver", "reembolso", "cambio", "退货", "退款", "换货", "损坏"),
    "payment": ("pay", "paying", "payment", "payments", "paypal", "credit card", "debit card", "card payment", "klarna", "afterpay",
                "installments", "pago", "pagar", "tarjeta", "付款", "支付", "支付宝", "微信支付"),
    "contact": ("contact", "human", "a person", "real person", "agent", "phone", "email", "call", "support", "service", "contacto", "contactar",
                "teléfono", "correo", "humano", "联系", "客服", "人工", "电话", "邮箱"),
    # a shop to walk into ("do you have a store I can visit?"); never bare "store": "what does the store sell?"
    "stores": ("physical store", "physical shop", "retail store", "brick and mortar", "showroom", "visit", "in person",
               "in-person", "in store", "in-store", "walk in", "tienda física", "tienda fisica", "visitar", "实体店", "门店"),
    "giftwrap": ("gift wrap", "gift-wrap", "giftwrap", "gift wrapping", "envolver", "envolvéis", "envuelven", "envoltorio",
                 "papel de regalo", "礼品包装", "包装成礼物"),
    "hours": ("hours", "open", "opening", "closed", "horario", "abierto", "abren", "营业"),
    "discounts": ("discount", "discounts", "coupon", "coupons", "promo", "voucher", "vouchers", "descuento", "cupón", "cupon",
                  "优惠", "优惠码", "优惠券", "折扣"),
    "sizing": ("sizing", "chart", "guide", "fit", "fits", "guía", "尺码表"),
    "warranty": ("warranty", "guarantee", "garantía", "保修"),
    "privacy": ("privacy", "personal data", "privacidad", "隐私"),
}
_POLICY_STOPWORDS = frozenset("""a an the do does did you your i my me is are to of in on for with and or what how when where can
could will would there it this that we our us be have has any el la los las de que y o en por para es un una 的 吗""".split())  # noqa: SIM905


def _stem_word(word: str) -> str:
    """'wrapping' -> 'wrap', 'stores' -> 'store', 'shipped' -> 'ship': one form for a heading's words and a question's."""
    w = word.lower()
    for suffix in ("ing", "ed", "es", "s"):
        if len(w) > len(suffix) + 2 and w.endswith(suffix) and not w.endswith("ss"):
            w = w[: -len(suffix)]
            if suffix in ("ing", "ed") and len(w) > 2 and w[-1] == w[-2]:
                w = w[:-1]  # "wrapp" -> "wrap"
            break
    return w


def policy_topics(text: str) -> set[str]:
    """The service topics a text is about ('how long does delivery take?' -> {'shipping'})."""
    low = (text or "").lower()
    words = set(re.findall(r"[^\W\d_]+", low))
    return {topic for topic, cues in POLICY_TOPICS.items()
            if any((cue in low) if re.search(r"[\u3400-\u9fff]| ", cue) else cue in words for cue in cues)}



@functools.lru_cache(maxsize=1)
def _product_statements() -> tuple[Any, Any]:
    """`get_many`'s two statements: the products' own columns, and the four child tables in one union."""
    brand = aliased(Brand)  # aliased: a brand filter's correlated subquery must keep its own Brand
    ids: Any = bindparam("ids", expanding=True)
    summary = (
        select(Product.id, Product.sku, Product.name, brand.name, Product.price, Product.special_price,
               Product.special_from, Product.special_to, Product.currency, Product.in_stock,
               Product.stock_qty, Product.rating_avg, Product.rating_count, Product.gender,
               Product.description, Product.created_at)
        .outerjoin(brand, brand.id == Product.brand_id)
        .where(Product.id.in_(ids))
    )
    found: Any = bindparam("found", expanding=True)
    text_none = cast(null(), String)
    children: Any = union_all(
        select(Variant.product_id, literal_column("'v'"), Variant.color, Variant.size, Variant.id, literal_column("0"))
        .where(Variant.product_id.in_(found)),
        select(ProductImage.product_id, literal_column("'i'"), ProductImage.uri, ProductImage.role,
               ProductImage.position, ProductImage.id).where(ProductImage.product_id.in_(found)),
        select(ProductAttribute.product_id, literal_column("'a'"), ProductAttribute.name, ProductAttribute.value,
               ProductAttribute.id, literal_column("0")).where(ProductAttribute.product_id.in_(found)),
        select(ProductCategory.product_id, literal_column("'c'"), Category.path, text_none, literal_column("0"), literal_column("0"))
        .join(Category, Category.id == ProductCategory.category_id)
        .where(ProductCategory.product_id.in_(found)),
    )
    return summary, children


@functools.lru_cache(maxsize=2)
def _popularity_statement(of_ids: bool) -> Any:
    """Weighted interaction events and units ordered per product, in one statement built once (it runs on
    every search); `of_ids`: only the products of the expanding parameter `ids`."""
    weight = case(*[(Interaction.event == e, w) for e, w in EVENT_WEIGHTS.items()], else_=0.0)
    stmt = select(Interaction.product_id, func.sum(weight)).group_by(Interaction.product_id)
    ostmt = (select(OrderLine.product_id, func.sum(OrderLine.qty) * EVENT_WEIGHTS["purchase"])
             .where(OrderLine.product_id.is_not(None)).group_by(OrderLine.product_id))
    if of_ids:
        ids: Any = bindparam("ids", expanding=True)
        stmt = stmt.where(Interaction.product_id.in_(ids))
        ostmt = ostmt.where(OrderLine.product_id.in_(ids))
    return union_all(stmt, ostmt)

class CatalogRepository:
    """Read (and log events to) the catalog. One instance per process; sessions are per call."""

    def __init__(self, db: CatalogDB, *, today: dt.date | None = None):
        self.db = db
        self._today = today
        self._overlays: tuple[tuple[int, int, int, str], frozenset[str]] | None = None
        self._by_version: dict[str, tuple[int, float, Any]] = {}  # _per_version's: key -> (version, when, value)
        self._currency: tuple[float, str] | None = None

    @property
    def today(self) -> dt.date:
        return self._today or dt.date.today()

    # ----- filters -------------------------------------------------------------------------------
    def _category_paths(self, session: Any, category: str) -> list[str]:
        wanted = "/".join(p.strip() for p in category.split("/") if p.strip()).lower()
        rows = session.execute(select(Category.path, Category.name)).all()
        if "/" in wanted:
            by_path = [p for p, _ in rows if p.lower() == wanted]
            if by_path:
                return by_path
        # A bare name ("Jackets") means every category of that name (a top-level "Jackets" and the men's
        # and women's ones alike); a partial path ("Tops/Jackets") matches paths ending with it.
        return [p for p, n in rows if p.lower() == wanted or n.lower() == wanted or p.lower().endswith("/" + wanted)]

    def _conditions(self, session: Any, f: ProductFilter) -> list[ColumnElement[bool]]:
        conds: list[ColumnElement[bool]] = [Product.visible.is_(True)]
        price = effective_price_expr(self.today)
        if f.ids is not None:
            conds.append(Product.id.in_(list(f.ids)) if f.ids else false())
        if f.exclude_ids:
            conds.append(Product.id.not_in(list(f.exclude_ids)))
        if f.category:
            paths = self._category_paths(session, f.category)
            if not paths:
                conds.append(false())
            else:
                cat_match = or_(
                    *[
                        or_(Category.path == p, Category.path.like(_like_escape(p) + "/%", escape="\\"))
                        for p in paths
                    ]
                )
                conds.append(
                    exists(
                        select(ProductCategory.product_id)
                        .join(Category, Category.id == ProductCategory.category_id)
                        .where(ProductCategory.product_id == Product.id, cat_match)
                    )
                )
        if f.brands:
            conds.append(
                exists(
                    select(Brand.id).where(
                        Brand.id == Product.brand_id, func.lower(Brand.name).in_([b.lower() for b in f.brands])
                    )
                )
            )
        if f.on_sale:
            # a special price today, or the shop's own sale category ("Promotions/Women Sale")
            sale_name = func.lower(Category.name)
            in_sale_category = exists(
                select(ProductCategory.product_id).join(Category, Category.id == ProductCategory.category_id)
                .where(ProductCategory.product_id == Product.id,
                       or_(sale_name == "sale", sale_name.like("% sale"), sale_name.like("sale %"), sale_name.like("% sale %")))
            )
            # ... or the shop's own sale flag (Magento's "sale: Yes"): "any bags on sale?" left out the bags so marked
            flagged = exists(select(ProductAttribute.id).where(
                ProductAttribute.product_id == Product.id, func.lower(ProductAttribute.name).in_(("sale", "on_sale", "on sale")),
                func.lower(ProductAttribute.value).in_(("yes", "1", "true", "y"))))
            conds.append(or_(price < Product.price, in_sale_category, flagged))
        colors = [c.lower() for c in f.colors]
        sizes = [s.lower() for s in f.sizes]
        # with a size or colour asked, the price range is the variant's (an XL priced apart at $269 is not "under
        # $250" because its product is $249): checked on the variant below
        priced_by_variant = bool(colors or sizes)
        if f.min_price is not None and not priced_by_variant:
            conds.append(price >= Decimal(str(f.min_price)))
        if f.max_price is not None and not priced_by_variant:
            conds.append(price <= Decimal(str(f.max_price)))
        if f.gender:
            g = f.gender.lower()
            # Unisex products suit everyone; products without a gender are not excluded by it.
            conds.append(or_(func.lower(Product.gender) == g, Product.gender.is_(None), Product.gender == "unisex"))
        if colors or sizes or f.in_stock:
            # One variant must satisfy colour, size and stock together ("a red M in stock"), and the price range.
            vconds: list[ColumnElement[bool]] = [Variant.product_id == Product.id]
            if priced_by_variant and (f.min_price is not None or f.max_price is not None):
                # its own price where the shop prices it apart, else the product's (sale included)
                vprice = charged_price_expr(Variant, price)
                if f.min_price is not None:
                    vconds.append(vprice >= Decimal(str(f.min_price)))
                if f.max_price is not None:
                    vconds.append(vprice <= Decimal(str(f.max_price)))
            if colors:
                vconds.append(func.lower(Variant.color).in_(colors))
            if sizes:
                vconds.append(func.lower(Variant.size).in_(sizes))
            if f.in_stock:
                vconds.append(Variant.in_stock.is_(True))
                vconds.append(or_(Variant.stock_qty.is_(None), Variant.stock_qty > 0))
            variant_ok = exists(select(Variant.id).where(*vconds))
            # Products without variants carry colour/size as attributes and stock on the product.
            simple_conds: list[ColumnElement[bool]] = [~exists(select(Variant.id).where(Variant.product_id == Product.id))]
            for attr, values in (("color", colors), ("size", sizes)):
                if values:
                    simple_conds.append(
                        exists(
                            select(ProductAttribute.id).where(
                                ProductAttribute.product_id == Product.id,
                                ProductAttribute.name == attr,
                                func.lower(ProductAttribute.value).in_(values),
                            )
                        )
                    )
            if f.in_stock:
                simple_conds.append(Product.in_stock.is_(True))
            if priced_by_variant and f.min_price is not None:
                simple_conds.append(price >= Decimal(str(f.min_price)))
            if priced_by_variant and f.max_price is not None:
                simple_conds.append(price <= Decimal(str(f.max_price)))
            conds.append(or_(variant_ok, and_(*simple_conds)))
        unwanted = [c.lower() for c in f.exclude_colors if c.strip()]
        if unwanted:
            # "not red": a variant in another colour (with the size and stock asked for, as a wanted colour
            # must be); a simple product with another colour; a product that records no colour at all, by
            # its name ("Black LED Fixture" is black)
            other = [Variant.product_id == Product.id, Variant.color.is_not(None), func.lower(Variant.color).not_in(unwanted)]
            if sizes:
                other.append(func.lower(Variant.size).in_(sizes))
            if f.in_stock:
                other += [Variant.in_stock.is_(True), or_(Variant.stock_qty.is_(None), Variant.stock_qty > 0)]
            colour_attr = [ProductAttribute.product_id == Product.id, ProductAttribute.name == "color"]
            has_colour = or_(
                exists(select(Variant.id).where(Variant.product_id == Product.id, Variant.color.is_not(None))),
                exists(select(ProductAttribute.id).where(*colour_attr)))
            no_variants = ~exists(select(Variant.id).where(Variant.product_id == Product.id))
            conds.append(or_(
                exists(select(Variant.id).where(*other)),
                and_(no_variants, exists(select(ProductAttribute.id).where(
                    *colour_attr, func.lower(ProductAttribute.value).not_in(unwanted)))),
                and_(~has_colour, *[~func.lower(Product.name).like("%" + _like_escape(c) + "%", escape="\\")
                                    for c in unwanted]),
            ))
        for name, values in f.attributes.items():
            if not values:
                continue
            conds.append(
                exists(
                    select(ProductAttribute.id).where(
                        ProductAttribute.product_id == Product.id,
                        ProductAttribute.name == name.lower(),
                        func.lower(ProductAttribute.value).in_([v.lower() for v in values]),
                    )
                )
            )
        for must in f.must_words:
            if must.strip():
                # (the attributes of what a product is or has: never a climate "Warm" for "has to be warm")
                conds.append(has_phrase(Product.name, must) | exists(select(ProductAttribute.id).where(
                    ProductAttribute.product_id == Product.id, ProductAttribute.name.notin_(NOT_MUST_ATTRIBUTES),
                    has_phrase(ProductAttribute.value, must))))
        for term in f.exclude_terms:
            if term.strip():
                word = term.strip().lower()
                # "no Legend" where Legend is a brand: that brand's products (not "Legendary" boots of another
                # brand); any other word ("without a hood"): the products whose name or description has it
                a_brand = exists(select(Brand.id).where(func.lower(Brand.name) == word))
                conds.append(~exists(select(Brand.id).where(Brand.id == Product.brand_id, func.lower(Brand.name) == word)))
                stem = singular(word)  # "no backpacks" leaves out the Summit Backpack too
                # (and the attributes: the catalog's style "Hooded" is a hood the name and description never mention)
                in_attributes = exists(select(ProductAttribute.id).where(
                    ProductAttribute.product_id == Product.id, has_word_starting(ProductAttribute.value, stem)))
                conds.append(a_brand | ~(has_word_starting(Product.name, stem) | has_word_starting(Product.description, stem)
                                         | in_attributes))
        return conds

    def _popularity_subquery(self) -> Any:
        """Per product: weighted logged events plus units ordered (same scale as `popularity`)."""
        weight = case(*[(Interaction.event == e, w) for e, w in EVENT_WEIGHTS.items()], else_=0.0)
        events = select(Interaction.product_id.label("pid"), weight.label("w"))
        ordered = select(
            OrderLine.product_id.label("pid"), (OrderLine.qty * EVENT_WEIGHTS["purchase"]).label("w")
        ).where(OrderLine.product_id.is_not(None))
        both = events.union_all(ordered).subquery()
        return select(both.c.pid, func.sum(both.c.w).label("pop")).group_by(both.c.pid).subquery()

    def _ordered(self, stmt: Select[Any], sort: str) -> Select[Any]:
        price = effective_price_expr(self.today)
        if sort == "price_asc":
            return stmt.order_by(price.asc(), Product.id)
        if sort == "price_desc":
            return stmt.order_by(price.desc(), Product.id)
        if sort == "rating":
            return stmt.order_by(
                func.coalesce(Product.rating_avg, 0).desc(), Product.rating_count.desc(), Product.id
            )
        if sort == "newest":
            return stmt.order_by(Product.created_at.desc(), Product.id.desc())
        if sort == "popularity":
            pop = self._popularity_subquery()
            return stmt.outerjoin(pop, pop.c.pid == Product.id).order_by(
                func.coalesce(pop.c.pop, 0).desc(), Product.id
            )
        return stmt.order_by(Product.id)

    # ----- exact structured queries --------------------------------------------------------------
    def find_ids(self, f: ProductFilter | None = None, *, sort: str = "relevance", limit: int | None = 20, offset: int = 0) -> list[int]:
        """Product ids matching every hard constraint, in the requested order."""
        if sort not in SORT_KEYS:
            raise ValueError(f"unknown sort '{sort}'; use one of {', '.join(SORT_KEYS)}")
        f = f or ProductFilter()
        with self.db.session() as s:
            stmt = select(Product.id).where(*self._conditions(s, f))
            stmt = self._ordered(stmt, sort)
            if limit is not None:
                stmt = stmt.limit(limit)
            if offset:
                stmt = stmt.offset(offset)
            return list(s.scalars(stmt))

    def find(self, f: ProductFilter | None = None, *, sort: str = "relevance", limit: int | None = 20, offset: int = 0) -> list[ProductSummary]:
        return self.get_many(self.find_ids(f, sort=sort, limit=limit, offset=offset))

    def count(self, f: ProductFilter | None = None) -> int:
        f = f or ProductFilter()
        with self.db.session() as s:
            return int(s.scalar(select(func.count(Product.id)).where(*self._conditions(s, f))) or 0)

    def change_marker(self) -> tuple[int, int, int, str]:
        """(catalog version, products, largest id, latest update), for caches that must notice another
        process's writes. Every import bumps the version in its own transaction, which is exact; the
        other three also catch rows a shop's own scripts edit in SQL without going through an import."""
        with self.db.session() as s:
            version = s.scalar(select(CatalogState.version).where(CatalogState.id == 1))
            n, top, last = s.execute(select(func.count(Product.id), func.max(Product.id), func.max(Product.updated_at))).one()
        return int(version or 0), int(n or 0), int(top or 0), str(last or "")

    def first_added(self) -> dt.datetime | None:
        """When the catalog's first product was added (its first import); None for an empty catalog."""
        with self.db.session() as s:
            return s.execute(select(func.min(Product.created_at))).scalar_one_or_none()

    def price_bounds(self, f: ProductFilter | None = None) -> tuple[Decimal, Decimal] | None:
        """(cheapest, most expensive) price among products matching `f`, or None when nothing matches."""
        f = f or ProductFilter()
        price = effective_price_expr(self.today)
        with self.db.session() as s:
            lo, hi = s.execute(select(func.min(price), func.max(price)).where(*self._conditions(s, f))).one()
            if lo is not None and (f.colors or f.sizes):
                # a size or colour asked: the prices of those variants (an XL priced apart at $269 is not $249)
                v = aliased(Variant)  # (the filter's own EXISTS over variants must not correlate with this join)
                vprice = charged_price_expr(v, price)
                vconds: list[ColumnElement[bool]] = [func.lower(v.color).in_([c.lower() for c in f.colors])] if f.colors else []
                vconds += [func.lower(v.size).in_([z.lower() for z in f.sizes])] if f.sizes else []
                if f.in_stock:
                    vconds += [v.in_stock.is_(True), or_(v.stock_qty.is_(None), v.stock_qty > 0)]
                vlo, vhi = s.execute(select(func.min(vprice), func.max(vprice)).select_from(Product)
                                     .join(v, v.product_id == Product.id).where(*self._conditions(s, f), *vconds)).one()
                if vlo is not None:
                    lo, hi = Decimal(vlo), Decimal(vhi)
        if lo is None:
            return None
        return Decimal(lo), Decimal(hi)

    # ----- lexical search ------------------------------------------------------------------------
    def lexical_search(self, text: str, f: ProductFilter | None = None, *, limit: int = 100, mode: Literal["any", "all"] = "any") -> list[LexicalHit]:
        """Full-text search, best first, restricted to products matching `f` (applied in SQL, before the limit)."""
        tokens = query_tokens(text)
        if not tokens:
            return []
        f = f or ProductFilter()
        with self.db.session() as s:
            conds = self._conditions(s, f)
            dialect = self.db.dialect
            if dialect == "sqlite":
                joiner = " AND " if mode == "all" else " OR "
                match = joiner.join('"' + t.replace('"', "") + '"' for t in dict.fromkeys(tokens))
                fts_table: ColumnElement[Any] = literal_column("product_fts")
                # bm25() is lower-is-better; name matches weigh 4x the rest of the text.
                score = func.bm25(fts_table, 4.0, 1.0)
                stmt = (
                    select(Product.id, score.label("score"))
                    .select_from(_fts)
                    .join(Product, Product.id == _fts.c.rowid)
                    .where(fts_table.op("MATCH")(match), *conds)
                    .order_by(score, Product.id)
                    .limit(limit)
                )
                return [LexicalHit(int(pid), -float(sc)) for pid, sc in s.execute(stmt)]
            if dialect == "postgresql":
                joiner = " " if mode == "all" else " or "
                q = func.websearch_to_tsquery("english", joiner.join(dict.fromkeys(tokens)))
                tsv: ColumnElement[Any] = literal_column("products.search_tsv")
                score = func.ts_rank_cd(tsv, q, 1)
                stmt = (
                    select(Product.id, score.label("score"))
                    .where(tsv.op("@@")(q), *conds)
                    .order_by(score.desc(), Product.id)
                    .limit(limit)
                )
                return [LexicalHit(int(pid), float(sc)) for pid, sc in s.execute(stmt)]
            # Any other database: count matching tokens in name/search_text with LIKE (slow, but correct).
            hits = [
                case((func.lower(Product.name + " " + Product.search_text).like("%" + _like_escape(t) + "%", escape="\\"), 1), else_=0)
                for t in dict.fromkeys(tokens)
            ]
            total = sum(hits[1:], hits[0])
            stmt = select(Product.id, total.label("score")).where(total > 0, *conds).order_by(total.desc(), Product.id).limit(limit)
            return [LexicalHit(int(pid), float(sc)) for pid, sc in s.execute(stmt)]

    # ----- reading products ----------------------------------------------------------------------
    def get(self, product_id: int) -> ProductSummary | None:
        found = self.get_many([product_id])
        return found[0] if found else None

    def get_by_sku(self, sku: str) -> ProductSummary | None:
        with self.db.session() as s:
            pid = s.scalar(select(Product.id).where(Product.sku == sku))
            if pid is None:
                pid = s.scalar(select(Variant.product_id).where(Variant.sku == sku))
        return self.get(pid) if pid is not None else None

    def get_many(self, ids: Sequence[int], *, matching: ProductFilter | None = None) -> list[ProductSummary]:
        """Summaries in the order of `ids` (unknown ids are left out; with `matching`, so are the ids that
        fail any of its hard constraints: one query instead of `find_ids` + `get_many`)."""
        ids = [i for i in ids if storable_id(i)]
        if not ids:
            return []
        today = self.today
        # Plain rows, not ORM objects: this runs on every search (30 reranked products) and loading the
        # Product graph through the ORM was most of a search's time. The id lists are one expanding
        # parameter each, in statements built once: coercing 30 ids into 5 IN lists was the rest.
        summary, children_stmt = _product_statements()
        with self.db.session() as s:
            stmt = summary.where(*self._conditions(s, matching)) if matching is not None else summary
            rows = s.execute(stmt, {"ids": list(ids)}).all()
            found = [r[0] for r in rows]
            if not found:
                return []
            children: list[Any] = list(s.execute(children_stmt, {"found": found}))
        by_product: dict[int, _Parts] = {pid: _Parts() for pid in found}
        # the relationships' orders: variants and attributes by id, images by position, categories by path
        for pid, kind, a, b, _, _ in sorted(children, key=lambda r: (r[1], r[4] or 0, r[5] or 0, r[2] or "")):
            parts = by_product[pid]
            if kind == "v":
                parts.variants.append((a, b))
            elif kind == "i":
                parts.images.append((a, b))
            elif kind == "a":
                parts.attributes.setdefault(a, []).append(b)
            else:
                parts.categories.append(a)
        by_id = {r[0]: self._summary_of_row(r, by_product[r[0]], today) for r in rows}
        return [by_id[i] for i in ids if i in by_id]

    def variant_price(self, product_id: int, size: str | None, color: str | None) -> Decimal | None:
        """The price of the product in that size and colour when the shop prices it apart from the product
        (a copper kettle dearer than the steel one); None: the product's own price (and its sale) applies."""
        return self.variant_prices([(product_id, size, color)]).get((product_id, size, color))

    def variant_prices(self, lines: Sequence[tuple[int, str | None, str | None]]) -> dict[tuple[int, str | None, str | None], Decimal]:
        """`variant_price` of many (product, size, colour) at once (a whole cart: one query); only those priced apart."""
        wanted = [(pid, size, color) for pid, size, color in lines if size or color]
        if not wanted:
            return {}
        with self.db.session() as s:
            rows = s.execute(select(Variant.product_id, Variant.size, Variant.color, Variant.price, Product.price)
                             .join(Product, Product.id == Variant.product_id)
                             .where(Variant.product_id.in_({pid for pid, _, _ in wanted}))).all()
        out: dict[tuple[int, str | None, str | None], Decimal] = {}
        for pid, size, color in wanted:
            matching = [r for r in rows if r[0] == pid and (not size or (r[1] or "").lower() == size.lower())
                        and (not color or (r[2] or "").lower() == color.lower())]
            prices = {r[3] for r in matching}
            own, regular = (matching[0][3], matching[0][4]) if len(prices) == 1 else (None, None)
            # one price for all of them, set apart from the product's (one priced like its product shares its sale)
            if own is not None and regular is not None and own != regular:
                out[(pid, size, color)] = own
        return out

    def variant_sku(self, product_id: int, size: str | None, color: str | None) -> str | None:
        """The SKU of the one variant of the product in that size and colour (what a shop's checkout needs); None when
        the product has no variants or the size and colour given leave more than one (or none)."""
        return self.variant_skus([(product_id, size, color)]).get((product_id, size, color))

    def variant_skus(self, lines: Sequence[tuple[int, str | None, str | None]]) -> dict[tuple[int, str | None, str | None], str]:
        """`variant_sku` of many (product, size, colour) at once (a whole cart: one query); only those naming one variant."""
        wanted = [(pid, size, color) for pid, size, color in lines if size or color]
        if not wanted:
            return {}
        with self.db.session() as s:
            rows = s.execute(select(Variant.product_id, Variant.sku, Variant.size, Variant.color)
                             .where(Variant.product_id.in_({pid for pid, _, _ in wanted}))).all()
        out: dict[tuple[int, str | None, str | None], str] = {}
        for pid, size, color in wanted:
            matching = [r[1] for r in rows if r[0] == pid and (r[2] or "").lower() == (size or "").lower()
                        and (r[3] or "").lower() == (color or "").lower()]
            if len(matching) == 1:
                out[(pid, size, color)] = matching[0]
        return out

    def units_available(self, product_id: int, size: str | None = None, color: str | None = None) -> int | None:
        """How many the shop can send of the product in that size and colour (those given): the counted units of its
        in-stock variants, else the product's own count; None where the shop does not count them."""
        variants = self.variant_stock(product_id)
        if variants or size or color:
            return units_of(variants, size, color, None, False)
        with self.db.session() as s:
            qty, ok = s.execute(select(Product.stock_qty, Product.in_stock).where(Product.id == product_id)).one_or_none() or (None, False)
        return units_of([], None, None, qty, bool(ok))

    def variant_stock(self, product_id: int) -> list[tuple[str | None, str | None, int | None, bool]]:
        """(size, colour, units in stock or None where the shop does not count them, in stock) per variant."""
        return self.variant_stocks([product_id]).get(product_id, [])

    def variant_stocks(self, product_ids: Sequence[int]) -> dict[int, list[tuple[str | None, str | None, int | None, bool]]]:
        """`variant_stock` of several products in one query (a cart's, each turn)."""
        ids = [i for i in dict.fromkeys(product_ids) if storable_id(i)]
        out: dict[int, list[tuple[str | None, str | None, int | None, bool]]] = {}
        if not ids:
            return out
        with self.db.session() as s:
            for pid, size, color, qty, ok in s.execute(select(Variant.product_id, Variant.size, Variant.color, Variant.stock_qty,
                                                              Variant.in_stock).where(Variant.product_id.in_(ids)).order_by(Variant.id)):
                out.setdefault(int(pid), []).append((size, color, qty, bool(ok) and (qty is None or qty > 0)))
        return out

    def reviews(self, product_id: int, limit: int = 3) -> list[tuple[int, str, str]]:
        """(stars, title, text) of a product's newest reviews (no reviewer: a name is not the answer's to share)."""
        with self.db.session() as s:
            rows = s.execute(select(Review.rating, Review.title, Review.body).where(Review.product_id == product_id)
                             .order_by(Review.created_at.desc(), Review.id.desc()).limit(limit)).all()
        return [(int(r[0]), r[1] or "", r[2] or "") for r in rows]

    def attribute_values(self) -> frozenset[str]:
        """The values (lower case) of the products' attributes other than colour and size ("waterproof", "nylon",
        "backpack"): words a query may use as a wish the ranking should favour. Kept until an import bumps the
        catalog's version (a DISTINCT over every attribute row is ~0.3 s at a million rows)."""
        def build() -> frozenset[str]:
            with self.db.session() as s:
                rows = s.scalars(select(ProductAttribute.value).where(ProductAttribute.name.notin_(("color", "size"))).distinct()).all()
            return frozenset(v.strip().lower() for v in rows if v and len(v.strip()) >= 3)

        return self._per_version("attribute_values", build)  # type: ignore[no-any-return]

    def attribute_words(self, ids: Sequence[int]) -> dict[int, set[str]]:
        """Each product's attribute values other than colour and size, lower case (one query per 900 ids)."""
        out: dict[int, set[str]] = {}
        ids = [i for i in ids if storable_id(i)]
        with self.db.session() as s:
            for at in range(0, len(ids), 900):
                for pid, value in s.execute(select(ProductAttribute.product_id, ProductAttribute.value).where(
                        ProductAttribute.product_id.in_(ids[at:at + 900]), ProductAttribute.name.notin_(("color", "size")))):
                    out.setdefault(int(pid), set()).add(str(value).strip().lower())
        return out

    def _per_version(self, key: str, build: Callable[[], Any]) -> Any:
        """`build()`, kept until an import bumps the catalog's version (one primary-key read a call), or for
        CATALOG_CACHE_TTL_S at most: rows a shop's own scripts edit in SQL bump no version."""
        with self.db.session() as s:
            version = int(s.scalar(select(CatalogState.version).where(CatalogState.id == 1)) or 0)
        cached = self._by_version.get(key)
        if cached is not None and cached[0] == version and time.monotonic() - cached[1] < CATALOG_CACHE_TTL_S:
            return cached[2]
        value = build()
        self._by_version[key] = (version, time.monotonic(), value)
        return value

    def variants(self, product: ProductSummary) -> list[dict[str, Any]]:
        """Each size/colour of a product as a shop page lists it: sku, size, colour, the price it is charged at (its
        own where the shop prices it apart, else the product's, sale included), units in stock (None: not counted)
        and whether it can be bought now."""
        with self.db.session() as s:
            rows = s.execute(select(Variant.sku, Variant.size, Variant.color, Variant.price, Variant.stock_qty, Variant.in_stock)
                             .where(Variant.product_id == product.id).order_by(Variant.id)).all()
        regular = product.regular_price
        return [{"sku": sku, "size": size, "color": color,
                 # priced like its product: the product's price today (its sale too); priced apart: its own
                 "price": own if own is not None and own != regular else product.price,
                 "stock_qty": qty, "in_stock": bool(ok) and (qty is None or qty > 0)}
                for sku, size, color, own, qty, ok in rows]

    @staticmethod
    def _summary_of_row(row: Any, parts: _Parts, today: dt.date) -> ProductSummary:
        (pid, sku, name, brand, price, special, special_from, special_to, currency, in_stock, stock_qty,
         rating_avg, rating_count, gender, description, created_at) = row
        attrs = parts.attributes
        colors = list(dict.fromkeys(c for c, _ in parts.variants if c)) or attrs.get("color", [])
        sizes = list(dict.fromkeys(z for _, z in parts.variants if z)) or attrs.get("size", [])
        base = next((uri for uri, role in parts.images if role == "base"), None) or (
            parts.images[0][0] if parts.images else None)
        return ProductSummary(
            id=pid,
            sku=sku,
            name=name,
            brand=brand,
            price=effective_price(price, special, special_from, special_to, today),
            regular_price=price,
            currency=currency,
            in_stock=in_stock,
            stock_qty=stock_qty,
            rating_avg=rating_avg,
            rating_count=rating_count,
            image=base,
            categories=parts.categories,
            colors=colors,
            sizes=sizes,
            gender=gender,
            attributes=attrs,
            description=description,
            created_at=created_at,
        )

    def images(self, product_id: int) -> list[tuple[str, str | None]]:
        with self.db.session() as s:
            return [
                (uri, color)
                for uri, color in s.execute(
                    select(ProductImage.uri, ProductImage.color)
                    .where(ProductImage.product_id == product_id)
                    .order_by(ProductImage.position)
                )
            ]

    def linked(self, product_id: int, kinds: Iterable[str] = ("related", "upsell", "crosssell")) -> list[tuple[int, str]]:
        """(linked product id, link kind) in catalog order."""
        with self.db.session() as s:
            return [
                (int(pid), str(kind))
                for pid, kind in s.execute(
                    select(ProductLink.linked_product_id, ProductLink.kind)
                    .where(ProductLink.product_id == product_id, ProductLink.kind.in_(list(kinds)))
                    .order_by(ProductLink.kind, ProductLink.position, ProductLink.id)
                )
            ]

    def shop_currency(self) -> str:
        """The currency most products are priced in: the one a shopper's "under 80" is read in, and the
        one replies write budgets and totals in. Re-read at most once a minute."""
        now = time.monotonic()
        if self._currency is None or now - self._currency[0] > 60:
            with self.db.session() as s:
                row = s.execute(
                    select(Product.currency, func.count(Product.id)).group_by(Product.currency)
                    .order_by(func.count(Product.id).desc(), Product.currency).limit(1)
                ).first()
            self._currency = (now, str(row[0]).upper() if row and row[0] else "USD")
        return self._currency[1]

    def merchandising_roots(self) -> frozenset[str]:
        """Top-level category trees that only regroup products filed elsewhere (see catalog.categories);
        recomputed when the catalog changes."""
        marker = self.change_marker()
        cached = self._overlays
        if cached is not None and cached[0] == marker:
            return cached[1]
        with self.db.session() as s:
            rows = s.execute(
                select(ProductCategory.product_id, Category.path).join(Category, Category.id == ProductCategory.category_id)
            ).tuples().all()
        roots = overlay_roots(rows)
        self._overlays = (marker, roots)
        return roots

    def product_category(self, product: ProductSummary) -> str | None:
        """The product's most specific real category ("Women/Tops/Jackets"), never a collection or promotion
        it is also filed under; None when it has no such category."""
        return product_type_category(product.categories, self.merchandising_roots())

    def names(self, ids: Sequence[int]) -> dict[int, str]:
        """Product id -> name, for the ids that exist (in chunks under SQLite's limit on bound parameters)."""
        out: dict[int, str] = {}
        ids = list(ids)
        with self.db.session() as s:
            for i in range(0, len(ids), 10_000):
                chunk = ids[i : i + 10_000]
                out.update({int(pid): n or "" for pid, n in s.execute(select(Product.id, Product.name).where(Product.id.in_(chunk)))})
        return out

    def named_in(self, text: str, limit: int = 5) -> list[int]:
        """The products on sale whose whole name the text contains ("compare the Kenobi Trail Jacket and the Lando
        Gym Jacket"), in the order the text names them; longer names first where one contains another. A name's ™
        and ® need not be typed, nor its double spaces."""
        low = " ".join(_unmarked(text).lower().split())
        if len(low) < 4:
            return []
        by_first = self._names_by_first_word()
        rows = [(pid, name) for word in dict.fromkeys(_WORD_RE.findall(low)) for pid, name in by_first.get(word, ()) if name in low]
        found: list[tuple[int, int]] = []
        taken: list[tuple[int, int]] = []
        for pid, name in sorted(rows, key=lambda r: (-len(r[1]), r[0])):
            at = low.find(name)
            span = (at, at + len(name))
            if at < 0 or any(a < span[1] and span[0] < b for a, b in taken):
                continue  # "Stellar Solar Jacket" already holds "Solar Jacket"
            taken.append(span)
            found.append((at, int(pid)))
        return [pid for _, pid in sorted(found)][:limit]

    def _names_by_first_word(self) -> dict[str, list[tuple[int, str]]]:
        """The visible products' names (lower case, unmarked, spaces normalised) by their first word, kept until an
        import bumps the catalog's version (one primary-key read a call; a scan of every name per call cost ~90 ms
        at 55k products, on every search turn)."""
        def build() -> dict[str, list[tuple[int, str]]]:
            with self.db.session() as s:
                rows = s.execute(select(Product.id, Product.name).where(Product.visible.is_(True), func.length(Product.name) >= 4)).all()
            index: dict[str, list[tuple[int, str]]] = {}
            for pid, name in rows:
                clean = " ".join(_unmarked(name).lower().split())
                first = _WORD_RE.search(clean)
                if first is not None and len(clean) >= 4:
                    index.setdefault(first.group(0), []).append((int(pid), clean))
            return index

        return self._per_version("names", build)  # type: ignore[no-any-return]

    def withdrawn_names(self) -> list[tuple[int, str]]:
        """(id, name) of the products no longer on sale (hidden: an import with hide_missing took them off), names
        lower case, unmarked, spaces normalised, kept until an import bumps the catalog's version: what a shopper
        may still ask for by name ("silk scarf" after the Silk Scarf was taken off sale)."""
        def build() -> list[tuple[int, str]]:
            with self.db.session() as s:
                rows = s.execute(select(Product.id, Product.name).where(Product.visible.is_(False))).all()
            return [(int(pid), " ".join(_unmarked(name).lower().split())) for pid, name in rows if name and name.strip()]

        return self._per_version("withdrawn", build)  # type: ignore[no-any-return]

    def carries(self, word: str) -> bool:
        """Whether some product on sale, or a category, is named with this word or its singular ("shoes":
        a "Trail Shoe", a "Shoes" category); a description that mentions shoes sells none."""
        stem = singular(word)  # a word of the name that begins with it ("Trail Shoe"; "sho" of "Short" is none)
        with self.db.session() as s:
            if s.scalar(select(Product.id).where(Product.visible.is_(True), has_word_starting(Product.name, stem)).limit(1)) is not None:
                return True
            return s.scalar(select(Category.id).where(has_word_starting(Category.name, stem)).limit(1)) is not None

    def has_in_stock_named(self, word: str) -> bool:
        """Whether some product on sale named with this word ("Pocket Knife" for "knives"), or in a category so
        named ("Leather Strap" in Accessories/Belts for "belts": `carries` counts categories too), is in stock now."""
        stem = singular(word)
        with self.db.session() as s:
            named = list(s.scalars(select(Product.id).where(Product.visible.is_(True), has_word_starting(Product.name, stem)).limit(2000)))
            paths = list(s.scalars(select(Category.path).where(has_word_starting(Category.name, stem))))
        if named and self.find_ids(ProductFilter(ids=named, in_stock=True), limit=1):
            return True
        return any(self.find_ids(ProductFilter(category=path, in_stock=True), limit=1) for path in paths)

    def all_product_ids(self) -> list[int]:
        with self.db.session() as s:
            return list(s.scalars(select(Product.id).order_by(Product.id)))

    # ----- vocabulary ----------------------------------------------------------------------------
    def vocabulary(self) -> dict[str, list[str]]:
        """The catalog's real values for colours, sizes, brands, categories, genders and attributes."""
        with self.db.session() as s:
            colors = set(s.scalars(select(Variant.color).where(Variant.color.is_not(None)).distinct()))
            colors |= set(s.scalars(select(ProductAttribute.value).where(ProductAttribute.name == "color").distinct()))
            sizes = set(s.scalars(select(Variant.size).where(Variant.size.is_not(None)).distinct()))
            sizes |= set(s.scalars(select(ProductAttribute.value).where(ProductAttribute.name == "size").distinct()))
            brands = list(s.scalars(select(Brand.name).order_by(Brand.name)))
            categories = list(s.scalars(select(Category.path).order_by(Category.path)))
            genders = list(s.scalars(select(Product.gender).where(Product.gender.is_not(None)).distinct()))
            attr_names = list(s.scalars(select(ProductAttribute.name).distinct().order_by(ProductAttribute.name)))
        return {
            "colors": sorted(c for c in colors if c),
            "sizes": sorted(z for z in sizes if z),
            "brands": brands,
            "categories": categories,
            "genders": sorted(g for g in genders if g),
            "attributes": attr_names,
        }

    # ----- events --------------------------------------------------------------------------------
    def log_interaction(
        self,
        event: str,
        product_id: int,
        *,
        user_id: str | None = None,
        session_id: str | None = None,
        query: str | None = None,
        position: int | None = None,
        context: dict[str, Any] | None = None,
    ) -> int:
        if event not in EVENT_WEIGHTS:
            raise ValueError(f"unknown event '{event}'; use one of {', '.join(EVENT_WEIGHTS)}")
        with self.db.session() as s:
            if not storable_id(product_id) or s.get(Product, product_id) is None:
                raise ValueError(f"unknown product id {product_id}")
            if event in CHOSEN_EVENTS and query is None and session_id:
                # a click on a product of a result list: credited to the search that showed it (what the click
                # model learns from)
                shown = s.execute(select(Interaction.query, Interaction.position).where(
                    Interaction.session_id == session_id, Interaction.product_id == product_id, Interaction.event == "impression")
                    .order_by(Interaction.id.desc()).limit(1)).first()
                if shown is not None:
                    query, position = shown[0], position if position is not None else shown[1]
            ev = Interaction(
                event=event,
                product_id=product_id,
                user_id=user_pseudonym(s, user_id) if user_id else None,
                session_id=session_id,
                query=redact_contact(query),  # never an e-mail or phone number the shopper typed
                position=position,
                context=context,
            )
            s.add(ev)
            s.flush()
            assert ev.id is not None
            return ev.id

    def log_impressions(self, product_ids: Sequence[int], *, query: str, session_id: str, user_id: str | None = None) -> None:
        """The products one search showed, in order (one transaction): what a later click is credited to."""
        if not product_ids or not query:
            return
        with self.db.session() as s:
            who = user_pseudonym(s, user_id) if user_id else None
            s.add_all([Interaction(event="impression", product_id=pid, user_id=who, session_id=session_id, query=redact_contact(query), position=i)
                       for i, pid in enumerate(product_ids)])

    def user_pseudonym(self, user_id: str) -> str:
        """How `user_id` is written in the interaction log (a keyed pseudonym, never the id itself)."""
        with self.db.session() as s:
            return user_pseudonym(s, user_id)

    def popularity(self, ids: Sequence[int] | None = None) -> dict[int, float]:
        """Weighted event counts plus units ordered, per product."""
        stmt, params = (_popularity_statement(True), {"ids": list(ids)}) if ids is not None else (_popularity_statement(False), {})
        pop: dict[int, float] = {}
        with self.db.session() as s:  # one statement: this runs on every search
            rows: list[Any] = list(s.execute(stmt, params))
            for p, v in rows:
                if p is not None:
                    pop[int(p)] = pop.get(int(p), 0.0) + float(v or 0)
        return pop

    def heading_asked(self, text: str) -> Document | None:
        """The policy or FAQ entry whose heading the message asks, word for word ("do you gift wrap?" and the
        entry "Do you gift-wrap?"): every word of a heading of two words or more, and at most two more."""
        said = {_stem_word(t) for t in query_tokens(text)} - _POLICY_STOPWORDS
        if not said:
            return None
        for d in self.documents(None, limit=1000):
            heading = {_stem_word(t) for t in query_tokens(d.title)} - _POLICY_STOPWORDS
            # (a one-word heading is no question: "a shipping box" is a product, not the Shipping entry); the heading's
            # words as forms of the same word ("gift wrap" for "gift wrapping"), one of them left unsaid at most
            # ("do you gift wrap?" asks "Do you offer gift wrapping?")
            if len(heading) >= 2 and len(heading & said) >= 2 and len(heading - said) <= (1 if len(heading) >= 3 else 0) \
                    and len(said - heading) <= 2:
                return d
        return None

    def documents(self, text: str | None = None, limit: int = 5) -> list[Document]:
        """Store policies / FAQ, best match first: the topic asked about ("how long does delivery take?" is the
        Shipping entry's, "可以退货吗" the Returns entry's), a heading's topic above a body's, then shared words."""
        with self.db.session() as s:
            docs = list(s.scalars(select(Document).order_by(Document.id)))
        if not text:
            return docs[:limit]
        toks = set(query_tokens(text)) - _POLICY_STOPWORDS
        asked = policy_topics(text)
        scored = []
        for d in docs:
            words = len(toks & set(query_tokens(d.title + " " + d.body)))
            score = 4 * len(asked & policy_topics(d.title)) + 2 * len(asked & policy_topics(d.body)) + words
            if asked & policy_topics(d.title + " " + d.body) or words >= 2 or (words and not asked):
                scored.append((score, d))
        return [d for sc, d in sorted(scored, key=lambda x: -x[0]) if sc > 0][:limit]
