"""Photo search quality end to end: does a product's own photo find it, through the assistant's ranking?

    SHOPASSIST_HOME=DIR .venv/bin/python bench/photo_bench.py [--json]

DIR holds a catalog with product photos and its built index, e.g. what `bash scripts/demo.sh` builds from the
Magento demo store (191 products, 725 photos). For every product, each of its photos is sent as a photo query
with no words (`HybridSearcher.search`, limit 5, with the reranking and diversity a shopper gets):

* main photo: the photo the index was built from (the product must come first);
* other photos: its alternative and back views, which the index never saw (the harder case).

It prints R@1 and R@5 end to end beside R@1 of the image index alone (its nearest vector), so a ranking that
buries what the photo shows is visible.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import numpy as np
    from PIL import Image
    from sqlalchemy import select

    from assistant.hybrid import build_hybrid_search
    from catalog.db import open_catalog
    from catalog.models import ProductImage
    from catalog.repository import CatalogRepository
    from retrieval.search import SearchRequest

    db = open_catalog(None)
    repo = CatalogRepository(db)
    search = build_hybrid_search(db, repo)
    if not search.image_search_available:
        sys.exit(f"no photo search here: {search.image_status}")
    with db.session() as s:
        rows = s.execute(select(ProductImage.product_id, ProductImage.uri).order_by(ProductImage.product_id, ProductImage.position)).all()
    photos: dict[int, list[str]] = {}
    for pid, uri in rows:
        photos.setdefault(int(pid), []).append(uri)
    embedder = search.indexes.image_embedder
    out = {}
    for label, pairs in (("main photo", [(p, us[0]) for p, us in photos.items()]),
                         ("other photos", [(p, u) for p, us in photos.items() for u in us[1:]])):
        n = top1 = top5 = alone = 0
        for pid, uri in pairs:
            if not Path(uri).is_file():
                continue
            vec = np.asarray(embedder.embed_images([Image.open(uri).convert("RGB")])[0], dtype=np.float32)
            ids = [r.product.id for r in search.searcher.search(SearchRequest(query="", image_vector=vec, limit=5))]
            nearest = [int(h.id) for h in search.indexes.image_index.query(vec, 1)]
            n += 1
            top1 += ids[:1] == [pid]
            top5 += pid in ids
            alone += nearest == [pid]
        if n:
            out[label] = {"photos": n, "R@1": round(top1 / n, 3), "R@5": round(top5 / n, 3), "index alone R@1": round(alone / n, 3)}
    if args.json:
        print(json.dumps(out))
        return
    for label, m in out.items():
        print(f"{label}: {m['photos']} photos, end to end R@1 {m['R@1']:.3f}, R@5 {m['R@5']:.3f}; image index alone R@1 {m['index alone R@1']:.3f}")


if __name__ == "__main__":
    main()
