"""Stores a `CatalogData` in the SQL catalog: idempotent upserts keyed by SKU / e-mail / natural keys.

Everything happens in the caller's transaction: `sync_catalog` never commits, so an error anywhere
leaves the database exactly as it was. A product is rewritten only when its content hash changed,
which makes a second import of the same file a no-op and an edited file touch only the edited rows.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from tqdm import tqdm

from catalog.importers._common import MAX_INT, MAX_PRICE
from catalog.models import (
    Brand,
    CatalogState,
    Category,
    Customer,
    Document,
    Order,
    OrderLine,
    Product,
    ProductAttribute,
    ProductCategory,
    ProductImage,
    ProductLink,
    Review,
    Variant,
)
from catalog.records import (
    CatalogData,
    CatalogImportError,
    CustomerRecord,
    ImageRecord,
    OrderRecord,
    ProductRecord,
    ReviewRecord,
    SkippedRow,
    VariantRecord,
)


@dataclass
class ImportStats:
    products_added: int = 0
    products_updated: int = 0
    products_unchanged: int = 0
    variants: int = 0
    images: int = 0
    categories_added: int = 0
    reviews_added: int = 0
    customers_added: int = 0
    customers_updated: int = 0
    orders_added: int = 0
    orders_updated: int = 0
    links_added: int = 0
    documents_added: int = 0
    documents_updated: int = 0
    documents_removed: int = 0
    products_hidden: int = 0  # a full feed (hide_missing): shown products the file no longer has
    products_shown_again: int = 0  # ... and hidden ones it has again
    # hide_missing hid nothing: this many bad rows had no readable SKU, so a product they hold looks missing
    hiding_withheld: int = 0
    skipped: list[SkippedRow] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(
            (
                self.products_added,
                self.products_updated,
                self.categories_added,
                self.reviews_added,
                self.customers_added,
                self.customers_updated,
                self.orders_added,
                self.orders_updated,
                self.links_added,
                self.documents_added,
                self.documents_updated,
                self.documents_removed,
                self.products_hidden,
                self.products_shown_again,
            )
        )

    def as_dict(self, *, public: bool = False) -> dict[str, Any]:
        """The counts and the skipped rows; `public=True`: the rows as the HTTP API shows them, quoting
        nothing read from the files (see CatalogImportError)."""
        d = dataclasses.asdict(self)
        d["skipped"] = [s.public_line() if public else f"{s.where}: {s.reason}" for s in self.skipped]
        return d


def _json_default(o: Any) -> Any:
    if isinstance(o, Decimal):
        return str(o)
    return str(o)


def product_hash(rec: ProductRecord) -> str:
    d = dataclasses.asdict(rec)
    d.pop("where", None)
    blob = json.dumps(d, sort_keys=True, default=_json_default)
    return hashlib.sha256(blob.encode()).hexdigest()


def build_search_text(rec: ProductRecord) -> str:
    """What lexical search sees besides the name: brand, categories, attributes, options, description."""
    parts: list[str] = []
    if rec.brand:
        parts.append(rec.brand)
    for path in rec.categories:
        parts.append(path.replace("/", " "))
    for name, values in sorted(rec.attributes.items()):
        if name in {"price_known"}:
            continue
        parts.append(" ".join(values))
    colors = sorted({v.color for v in rec.variants if v.color})
    sizes = sorted({v.size for v in rec.variants if v.size})
    parts.extend(colors)
    parts.extend(sizes)
    if rec.gender:
        parts.append(rec.gender)
    if rec.description:
        parts.append(rec.description)
    return "\n".join(p for p in parts if p)


def _ensure_categories(session: Session, paths: Iterable[str], stats: ImportStats) -> dict[str, int]:
    existing = {c.path: c.id for c in session.scalars(select(Category))}
    for full in sorted(set(paths)):
        parts = [p.strip() for p in full.split("/") if p.strip()]
        parent_id: int | None = None
        for depth in range(1, len(parts) + 1):
            path = "/".join(parts[:depth])
            cid = existing.get(path)
            if cid is None:
                cat = Category(name=parts[depth - 1], path=path, parent_id=parent_id)
                session.add(cat)
                session.flush()
                cid = existing[path] = cat.id
                stats.categories_added += 1
            parent_id = cid
    return existing


def _norm_path(path: str) -> str:
    return "/".join(p.strip() for p in path.split("/") if p.strip())


def _brand_ids(session: Session, names: Iterable[str]) -> dict[str, int]:
    existing = {b.name: b.id for b in session.scalars(select(Brand))}
    for name in sorted(set(names) - set(existing)):
        b = Brand(name=name)
        session.add(b)
        session.flush()
        existing[name] = b.id
    return existing


def _apply_product(
    session: Session,
    prod: Product,
    rec: ProductRecord,
    brand_ids: dict[str, int],
    cat_ids: dict[str, int],
    digest: str,
    source: str,
) -> None:
    prod.name = rec.name
    prod.description = rec.description
    prod.product_type = rec.product_type
    prod.brand_id = brand_ids[rec.brand] if rec.brand else None
    prod.price = rec.price
    prod.special_price = rec.special_price
    prod.special_from = rec.special_from
    prod.special_to = rec.special_to
    prod.currency = rec.currency
    prod.gender = rec.gender
    prod.visible = rec.visible
    if rec.variants:
        tracked = [v.stock_qty for v in rec.variants if v.stock_qty is not None]
        prod.stock_qty = sum(tracked) if tracked else None
        if prod.stock_qty is not None and prod.stock_qty > MAX_INT:  # each fits, their sum may not
            raise CatalogImportError(
                f"the variants' stock adds up to {prod.stock_qty}, too large for a quantity (at most {MAX_INT})",
                file=rec.where or None, field="stock_qty",
                public=f"the variants' stock adds up to more than a quantity can be (at most {MAX_INT})",
            )
        prod.in_stock = any(v.in_stock and (v.stock_qty is None or v.stock_qty > 0) for v in rec.variants)
    else:
        prod.stock_qty = rec.stock_qty
        prod.in_stock = rec.in_stock and (rec.stock_qty is None or rec.stock_qty > 0)
    prod.search_text = build_search_text(rec)
    prod.source = source
    prod.content_hash = digest

    # Variants: upsert by SKU so ids referenced by orders and events survive an update.
    by_sku = {v.sku: v for v in prod.variants}
    keep: list[Variant] = []
    for vr in rec.variants:
        v = by_sku.get(vr.sku) or Variant(sku=vr.sku)
        v.name, v.size, v.color, v.price = vr.name, vr.size, vr.color, vr.price
        v.stock_qty, v.in_stock = vr.stock_qty, vr.in_stock
        keep.append(v)
    prod.variants = keep

    old_imgs = {i.uri: i for i in prod.images}
    imgs: list[ProductImage] = []
    for pos, ir in enumerate(rec.images):
        if any(i.uri == ir.uri for i in imgs):
            continue
        img = old_imgs.get(ir.uri) or ProductImage(uri=ir.uri)
        img.role, img.label, img.color, img.position = ir.role, ir.label, ir.color, pos
        imgs.append(img)
    prod.images = imgs

    old_attrs = {(a.name, a.value): a for a in prod.attributes}
    attrs: list[ProductAttribute] = []
    for name, values in rec.attributes.items():
        for value in dict.fromkeys(values):
            key = (name.lower(), value)
            attrs.append(old_attrs.get(key) or ProductAttribute(name=key[0], value=value))
    prod.attributes = attrs

    wanted = {cat_ids[_norm_path(p)] for p in rec.categories if _norm_path(p)}
    if prod.id is not None:
        current = set(
            session.scalars(select(ProductCategory.category_id).where(ProductCategory.product_id == prod.id))
        )
    else:
        current = set()
    if wanted != current:
        session.flush()
        for cid in current - wanted:
            session.delete(session.get(ProductCategory, (prod.id, cid)))
        for cid in wanted - current:
            session.add(ProductCategory(product_id=prod.id, category_id=cid))


def _kept_variants(session: Session, skus: set[str]) -> dict[str, tuple[list[VariantRecord], list[ImageRecord]]]:
    """{product SKU: the catalog's variants among `skus` (bad rows left out), and the variant photos of their
    colours}: what the product keeps of them when the rest of it is rewritten."""
    kept: dict[str, tuple[list[VariantRecord], list[ImageRecord]]] = {}
    for psku, vsku, name, size, color, price, qty, in_stock in session.execute(
        select(Product.sku, Variant.sku, Variant.name, Variant.size, Variant.color, Variant.price, Variant.stock_qty,
               Variant.in_stock).join(Product, Variant.product_id == Product.id).order_by(Variant.id)
    ):
        if vsku in skus:
            kept.setdefault(psku, ([], []))[0].append(
                VariantRecord(sku=vsku, name=name, size=size, color=color, price=price, stock_qty=qty, in_stock=in_stock)
            )
    colors = {psku: {v.color for v in variants} for psku, (variants, _) in kept.items()}
    if kept:
        for psku, uri, label, color in session.execute(
            select(Product.sku, ProductImage.uri, ProductImage.label, ProductImage.color)
            .join(Product, ProductImage.product_id == Product.id)
            .where(ProductImage.role == "variant").order_by(ProductImage.position)
        ):
            if color in colors.get(psku, ()):
                kept[psku][1].append(ImageRecord(uri=uri, role="variant", label=label, color=color))
    return kept


def _with_kept(rec: ProductRecord, kept: dict[str, tuple[list[VariantRecord], list[ImageRecord]]]) -> ProductRecord:
    """`rec` plus the variants (and their photos) the catalog keeps for it, as though their rows were read."""
    variants, images = kept.get(rec.sku, ([], []))
    have = {v.sku for v in rec.variants}
    variants = [v for v in variants if v.sku not in have]
    if not variants:
        return rec
    uris = {i.uri for i in rec.images}
    return dataclasses.replace(rec, product_type="configurable", variants=[*rec.variants, *variants],
                               images=[*rec.images, *(i for i in images if i.uri not in uris)])


def sync_catalog(session: Session, data: CatalogData, *, source: str = "", progress: bool = True,
                 hide_missing: bool = False) -> ImportStats:
    """Upsert `data` into the catalog. Raises CatalogImportError on inconsistent input; never commits.

    `hide_missing`: `data` is the shop's whole feed, so a product it no longer has is taken off sale (hidden:
    search, the API and the assistant stop showing it; its orders and reviews stay), and a hidden one it has
    again comes back.

    A bad row left out (`data.skipped` with its SKU) is in the file all the same: the catalog keeps what it has
    for that SKU (a variant stays on its product, a product is neither rewritten nor hidden)."""
    stats = ImportStats(skipped=list(data.skipped))

    seen: set[str] = set()
    for rec in data.products:
        if rec.sku in seen:
            raise CatalogImportError(f"duplicate SKU '{rec.sku}'", file=rec.where or None, field="sku",
                                     public="duplicate SKU; every product needs its own SKU")
        seen.add(rec.sku)

    cat_ids = _ensure_categories(
        session, [_norm_path(p) for p in data.categories] + [_norm_path(p) for r in data.products for p in r.categories],
        stats,
    )
    cat_ids = {k: v for k, v in cat_ids.items()}
    brand_ids = _brand_ids(session, [r.brand for r in data.products if r.brand])

    existing = {sku: (pid, h) for pid, sku, h in session.execute(select(Product.id, Product.sku, Product.content_hash))}
    variant_owner = {
        vsku: psku
        for vsku, psku in session.execute(select(Variant.sku, Product.sku).join(Product, Variant.product_id == Product.id))
    }
    for rec in data.products:
        for v in rec.variants:
            owner = variant_owner.get(v.sku)
            if owner is not None and owner != rec.sku:
                raise CatalogImportError(
                    f"variant SKU '{v.sku}' already belongs to product '{owner}'", file=rec.where or None, field="sku",
                    public="a variant SKU of this product already belongs to another product",
                )

    imported = {rec.sku for rec in data.products} | {v.sku for rec in data.products for v in rec.variants}
    kept_skus = data.skipped_skus - imported
    records = data.products
    if kept_skus:
        kept = _kept_variants(session, kept_skus)
        records = [_with_kept(rec, kept) for rec in data.products]
        in_catalog = existing.keys() | variant_owner.keys()
        stats.skipped = [_says_kept(s) if s.sku in kept_skus and s.sku in in_catalog else s for s in stats.skipped]

    bar = tqdm(records, desc="products", unit="product", disable=not progress, leave=False)
    for i, rec in enumerate(bar):
        digest = product_hash(rec)
        hit = existing.get(rec.sku)
        if hit is not None and hit[1] == digest:
            stats.products_unchanged += 1
            continue
        if hit is None:
            prod = Product(sku=rec.sku, name=rec.name, price=rec.price)
            session.add(prod)
            stats.products_added += 1
        else:
            prod = session.get_one(Product, hit[0])
            stats.products_updated += 1
        _apply_product(session, prod, rec, brand_ids, cat_ids, digest, source)
        stats.variants += len(rec.variants)
        stats.images += len(rec.images)
        if i % 2000 == 1999:
            session.flush()
            session.expunge_all()  # keeps memory flat on 50k-product imports
    session.flush()

    prod_ids = dict(session.execute(select(Product.sku, Product.id)).tuples().all())
    variants = {
        vsku: (vid, pid, size, color, price)
        for vsku, vid, pid, size, color, price in session.execute(
            select(Variant.sku, Variant.id, Variant.product_id, Variant.size, Variant.color, Variant.price)
        )
    }

    if hide_missing:
        in_feed = {rec.sku for rec in data.products if rec.visible}
        # a bad row whose SKU could not be read may hold any product: hiding "missing" ones would take it off sale
        stats.hiding_withheld = sum(1 for s in data.skipped if s.bad_row and s.sku is None)
        for prod in session.scalars(select(Product)):
            if prod.sku in kept_skus:
                continue  # its row was bad and left out: in the file all the same, so it stays as it is
            if prod.visible and prod.sku not in in_feed and not stats.hiding_withheld:
                prod.visible = False
                stats.products_hidden += 1
            elif not prod.visible and prod.sku in in_feed:
                prod.visible = True
                stats.products_shown_again += 1
    _sync_customers(session, data.customers, stats)
    _sync_reviews(session, data.reviews, prod_ids, stats)
    _sync_orders(session, data.orders, prod_ids, variants, stats)
    _sync_links(session, data, prod_ids, stats)
    _sync_documents(session, data, stats)
    if stats.reviews_added:
        refresh_ratings(session)
    if stats.changed:
        bump_catalog_version(session)
    session.flush()
    return stats


def _says_kept(row: SkippedRow) -> SkippedRow:
    """`row`, saying that the catalog keeps what it had for its SKU."""
    public = row.public if row.public is not None else f"{row.where}: {row.reason}"
    return SkippedRow(row.where, f"{row.reason}; '{row.sku}' stays in the catalog as it was",
                      f"{public}; this SKU stays in the catalog as it was", row.sku)


def bump_catalog_version(session: Session) -> None:
    """Mark the catalog changed, inside the caller's transaction: readers see the new version exactly when
    they can see the change (an updated_at stamp cannot promise that with two writers at once)."""
    done = session.execute(update(CatalogState).where(CatalogState.id == 1).values(version=CatalogState.version + 1))
    if not getattr(done, "rowcount", 1):
        session.add(CatalogState(id=1, version=1))


def _sync_customers(session: Session, customers: list[CustomerRecord], stats: ImportStats) -> None:
    existing = {c.email.lower(): c for c in session.scalars(select(Customer))}
    for rec in customers:
        email = rec.email.strip().lower()
        values = dataclasses.asdict(rec)
        values["email"] = email
        cust = existing.get(email)
        if cust is None:
            cust = Customer(**values)
            session.add(cust)
            existing[email] = cust
            stats.customers_added += 1
        elif any(getattr(cust, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(cust, k, v)
            stats.customers_updated += 1
    session.flush()


def review_key(rec: ReviewRecord) -> str:
    blob = json.dumps([rec.sku, rec.reviewer, rec.title, rec.body, rec.rating])
    return hashlib.sha256(blob.encode()).hexdigest()


def _sync_reviews(session: Session, reviews: list[ReviewRecord], prod_ids: dict[str, int], stats: ImportStats) -> None:
    if not reviews:
        return
    existing = set(session.scalars(select(Review.external_key)))
    customers = {c.email: c.id for c in session.scalars(select(Customer))}
    for rec in reviews:
        pid = prod_ids.get(rec.sku)
        if pid is None:
            stats.skipped.append(SkippedRow(rec.where or rec.sku, f"review for unknown SKU '{rec.sku}'",
                                            f"{rec.where or 'a review'}: review for an unknown SKU"))
            continue
        if not 1 <= rec.rating <= 5:
            raise CatalogImportError(
                f"rating {rec.rating} is outside 1..5", file=rec.where or None, field="rating",
                public="the rating is outside 1..5",
            )
        key = review_key(rec)
        if key in existing:
            continue
        existing.add(key)
        session.add(
            Review(
                product_id=pid,
                external_key=key,
                rating=rec.rating,
                title=rec.title,
                body=rec.body,
                reviewer=rec.reviewer,
                customer_id=customers.get((rec.customer_email or "").lower()),
            )
        )
        stats.reviews_added += 1


def _sync_orders(
    session: Session,
    orders: list[OrderRecord],
    prod_ids: dict[str, int],
    variants: dict[str, tuple[int, int, str | None, str | None, Decimal | None]],
    stats: ImportStats,
) -> None:
    if not orders:
        return
    customers = {c.email: c.id for c in session.scalars(select(Customer))}
    existing = {o.number: o for o in session.scalars(select(Order))}
    products = {p.id: p for p in session.scalars(select(Product).where(Product.sku.in_({ln.sku for o in orders for ln in o.lines})))}
    for rec in orders:
        lines: list[OrderLine] = []
        for ln in rec.lines:
            variant_id = None
            if ln.sku in variants:
                variant_id, pid, _, _, vprice = variants[ln.sku]
            elif ln.sku in prod_ids:
                pid = prod_ids[ln.sku]
                vprice = None
                if ln.size or ln.color:
                    for _vsku, (vid, vpid, size, color, price) in variants.items():
                        if vpid == pid and (not ln.size or size == ln.size) and (not ln.color or color == ln.color):
                            variant_id, vprice = vid, price
                            break
                    if variant_id is None:
                        raise CatalogImportError(
                            f"order {rec.number}: product '{ln.sku}' has no variant size={ln.size} color={ln.color}",
                            file=rec.where or None,
                            public="the order names a size/colour its product does not have",
                        )
            else:
                raise CatalogImportError(
                    f"order {rec.number} refers to unknown SKU '{ln.sku}'", file=rec.where or None, field="sku",
                    public="the order refers to an unknown SKU",
                )
            prod = products.get(pid) or session.get_one(Product, pid)
            unit = ln.unit_price if ln.unit_price is not None else (vprice or prod.effective_price())
            name = prod.name
            lines.append(OrderLine(product_id=pid, variant_id=variant_id, sku=ln.sku, name=name, qty=ln.qty, unit_price=unit))
        total = sum((line.unit_price * line.qty for line in lines), Decimal("0"))
        if total > MAX_PRICE:  # each line's price and quantity fit, their product may not
            raise CatalogImportError(
                f"order {rec.number}: the total {total} is too large for a price (at most {MAX_PRICE})",
                file=rec.where or None, public=f"the order's total is too large for a price (at most {MAX_PRICE})",
            )
        cust_id = customers.get((rec.customer_email or "").lower())
        order = existing.get(rec.number)
        # (the date too: a catalog upgraded to 0006 has none yet, and re-importing a source with dates fills them in)
        signature = (rec.status, rec.currency, rec.shipping_method, rec.payment_method, total, cust_id, rec.created_at,
                     [(line.sku, line.qty, line.unit_price) for line in lines])
        if order is not None:
            current = (order.status, order.currency, order.shipping_method, order.payment_method, order.total,
                       order.customer_id, order.placed_at, [(line.sku, line.qty, line.unit_price) for line in order.lines])
            if current == signature:
                continue
            stats.orders_updated += 1
        else:
            order = Order(number=rec.number)
            session.add(order)
            existing[rec.number] = order
            stats.orders_added += 1
        order.status, order.currency = rec.status, rec.currency
        order.shipping_method, order.payment_method = rec.shipping_method, rec.payment_method
        order.total, order.customer_id = total, cust_id
        if rec.created_at is not None:
            order.created_at = rec.created_at
        order.placed_at = rec.created_at  # (None: the source gives no date, and none is made up)
        order.lines = lines
    session.flush()


def _sync_links(session: Session, data: CatalogData, prod_ids: dict[str, int], stats: ImportStats) -> None:
    if not data.links:
        return
    existing = set(session.execute(select(ProductLink.product_id, ProductLink.linked_product_id, ProductLink.kind)).tuples())
    for link in data.links:
        a, b = prod_ids.get(link.sku), prod_ids.get(link.linked_sku)
        if a is None or b is None:
            missing = link.sku if a is None else link.linked_sku
            stats.skipped.append(SkippedRow(f"{link.kind} link {link.sku}->{link.linked_sku}", f"unknown SKU '{missing}'",
                                            f"a {link.kind} link: unknown SKU"))
            continue
        key = (a, b, link.kind)
        if key in existing:
            continue
        existing.add(key)
        session.add(ProductLink(product_id=a, linked_product_id=b, kind=link.kind, position=link.position))
        stats.links_added += 1


def _sync_documents(session: Session, data: CatalogData, stats: ImportStats) -> None:
    if not data.documents:
        return
    existing = {d.slug: d for d in session.scalars(select(Document))}
    for rec in data.documents:
        doc = existing.get(rec.slug)
        if doc is None:
            session.add(Document(slug=rec.slug, kind=rec.kind, title=rec.title, body=rec.body))
            stats.documents_added += 1
        elif (doc.kind, doc.title, doc.body) != (rec.kind, rec.title, rec.body):
            doc.kind, doc.title, doc.body = rec.kind, rec.title, rec.body
            stats.documents_updated += 1
    if data.documents_complete:  # a policies file is the whole set: what it no longer has goes
        keep = {rec.slug for rec in data.documents}
        for slug, doc in existing.items():
            if slug not in keep:
                session.delete(doc)
                stats.documents_removed += 1


def refresh_ratings(session: Session) -> None:
    """Recompute the denormalised rating columns from the reviews table."""
    session.flush()
    rows = session.execute(
        select(Review.product_id, func.avg(Review.rating), func.count(Review.id)).group_by(Review.product_id)
    ).all()
    agg = {pid: (float(avg), int(n)) for pid, avg, n in rows}
    for prod in session.scalars(select(Product).where(Product.rating_count > 0)):
        if prod.id not in agg:
            prod.rating_avg, prod.rating_count = None, 0
    for pid, (avg, n) in agg.items():
        prod = session.get_one(Product, pid)
        if prod.rating_count != n or prod.rating_avg is None or abs(prod.rating_avg - avg) > 1e-9:
            prod.rating_avg, prod.rating_count = round(avg, 4), n
