"""`shopassist eval retrieval` and `shopassist train ranker` (registered by retrieval.cli)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from retrieval.fine_tune import TrainingPairs

_file = click.Path(exists=True, dir_okay=False, path_type=Path)


def _data_options(f):  # type: ignore[no-untyped-def]
    f = click.option("--qrels", "qrels", type=_file, required=True, help="qrels.tsv: query_id<TAB>product_id<TAB>relevance (1-3).")(f)
    f = click.option("--queries", "queries", type=_file, required=True, help="queries.tsv: query_id<TAB>query.")(f)
    f = click.option("--products", "products", type=_file, required=True, help="products.tsv: product_id<TAB>title.")(f)
    f = click.option("--embedder", default="minilm", show_default=True,
                     help="Text embedder for the dense side ('none' for lexical candidates only).")(f)
    f = click.option("--limit-queries", type=click.IntRange(min=1), default=None, help="Use only the first N queries of the half.")(f)
    return f


def _progress(quiet: bool):  # type: ignore[no-untyped-def]
    return None if quiet else (lambda m: click.echo(m, err=True))


def _warn(message: str) -> None:
    """Always on stderr (also with --quiet / --json): a warning is not progress."""
    click.echo(f"Warning: {message}", err=True)


def _input_errors() -> tuple[type[Exception], ...]:
    """What a bad input file, a bad option value or a missing model raises: shown as a click error, no traceback."""
    from catalog.records import CatalogImportError
    from retrieval.embedders import EmbedderError

    return (CatalogImportError, ValueError, EmbedderError, FileNotFoundError)


@click.group("eval")
def eval_group() -> None:
    """Offline evaluation."""


@eval_group.command("retrieval")
@_data_options
@click.option("--ranker", type=_file, default=None, help="A learned ranker (from `shopassist train ranker`); default: config weights.")
@click.option("--split", type=click.Choice(["heldout", "train", "all"]), default="heldout", show_default=True,
              help="Which half of the dev queries to report (train/tune only ever uses 'train').")
@click.option("--diversify", is_flag=True, help="Apply MMR diversity too (off by default: it trades relevance for variety).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with keys 'system' and 'bm25'.")
@click.option("--quiet", "-q", is_flag=True, help="No progress messages on stderr.")
def eval_retrieval(products: Path, queries: Path, qrels: Path, embedder: str, limit_queries: int | None,
                   ranker: Path | None, split: str, diversify: bool, as_json: bool, quiet: bool) -> None:
    """BM25 alone vs the full hybrid system: NDCG@10, MRR@10, Recall@100 and latency, on DEV queries."""
    from retrieval.evaluation import evaluate, format_report

    try:
        report = evaluate(
            products, queries, qrels,
            ranker_path=ranker,
            embedder_name=None if embedder.lower() == "none" else embedder,
            limit_queries=limit_queries,
            split=split,
            diversify=diversify,
            progress=_progress(quiet or as_json),
            warn=_warn,
        )
    except _input_errors() as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(json.dumps(report) if as_json else format_report(report))


def _dev_halves(products: Path, queries: Path, qrels: Path, what: str) -> tuple[
        dict[str, str], dict[str, dict[str, float]], dict[str, str], list[str], list[str]]:
    """(queries, qrels, titles, dev-train ids, dev-heldout ids), the three files checked against each other; an
    error when the half a model learns from is empty."""
    from retrieval.evaluation import (
        empty_half_error,
        judged_queries,
        load_products,
        load_qrels,
        load_queries,
        split_queries,
    )

    qs = load_queries(queries)
    rels = load_qrels(qrels)
    titles = dict(load_products(products))
    judged = judged_queries(qs, rels, titles, queries_path=queries, qrels_path=qrels, products_path=products, warn=_warn)
    train_ids, heldout_ids = split_queries(judged)
    if not train_ids:
        raise empty_half_error("dev-train", len(judged), queries, f"the {what} learns only from that half; judge more queries")
    return qs, rels, titles, train_ids, heldout_ids


@click.group("train")
def train_group() -> None:
    """Train models from your data."""


@train_group.command("ranker")
@_data_options
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to save the ranker JSON (default: SHOPASSIST_HOME/rankers/ranker.json).")
@click.option("--model", "model_kind", type=click.Choice(["lambdamart", "logistic"]), default="lambdamart", show_default=True,
              help="LambdaMART trees (LightGBM) or the logistic model.")
@click.option("--l2", type=float, default=1e-3, show_default=True, help="L2 penalty on the standardised weights (logistic only).")
@click.option("--quiet", "-q", is_flag=True)
def train_ranker_command(products: Path, queries: Path, qrels: Path, embedder: str, limit_queries: int | None,
                         out: Path | None, model_kind: str, l2: float, quiet: bool) -> None:
    """Train a ranker on the dev-train half of the queries (graded labels); `eval retrieval --ranker` uses it."""
    from retrieval.evaluation import build_setup, train_ranker
    from retrieval.learned_ranker import default_ranker_path

    say = _progress(quiet)
    try:
        qs, rels, _, train_ids, _ = _dev_halves(products, queries, qrels, "ranker")
        if limit_queries:
            train_ids = train_ids[:limit_queries]
        setup = build_setup(products, embedder_name=None if embedder.lower() == "none" else embedder, progress=say)
        try:
            model = train_ranker(setup, {q: qs[q] for q in train_ids}, rels, model=model_kind, l2=l2, progress=say,
                                 meta={"split": "dev-train", "embedder": setup.info.get("embedder", "none"), "products": str(products)})
        finally:
            setup.close()
    except _input_errors() as exc:
        raise click.ClickException(str(exc)) from None
    path = model.save(out or default_ranker_path())
    click.echo(f"trained on {len(train_ids)} dev-train queries ({model.meta['examples']} candidates); saved {path}")


@train_group.command("embedder")
@click.option("--products", "products", type=_file, default=None, help="products.tsv: product_id<TAB>title (with --queries/--qrels).")
@click.option("--queries", "queries", type=_file, default=None, help="queries.tsv: query_id<TAB>query.")
@click.option("--qrels", "qrels", type=_file, default=None, help="qrels.tsv: query_id<TAB>product_id<TAB>relevance (1-3).")
@click.option("--from-log", is_flag=True,
              help="Learn from the catalog's logged clicks instead: chosen products are positives, shown-but-not-chosen ones negatives.")
@click.option("--db-url", default=None, help="Catalog whose log --from-log reads (default: SQLite under SHOPASSIST_HOME). Env: SHOPASSIST_DB_URL.")
@click.option("--base", default="minilm", show_default=True,
              help="Model to start from: 'minilm' (English) or a sentence-transformers folder. The default e5 embedder cannot be trained.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="New folder for the model (an earlier fine-tune there is replaced once training succeeds).")
@click.option("--epochs", type=click.IntRange(min=1), default=1, show_default=True, help="Passes over the pairs (more overfits small data).")
@click.option("--batch-size", type=click.IntRange(min=2), default=64, show_default=True,
              help="Pairs per step; the other products in a step are the negatives.")
@click.option("--learning-rate", type=click.FloatRange(min=0, min_open=True), default=3e-5, show_default=True, help="AdamW step size.")
@click.option("--min-relevance", type=float, default=2.33, show_default=True,
              help="Judged pairs at or above this are positives (judged data only).")
@click.option("--hard-negatives", is_flag=True, help="Also push products judged <= 1.67 away from their query (judged data only).")
@click.option("--limit-queries", type=click.IntRange(min=1), default=None, help="Use only the first N dev-train queries (judged data only).")
@click.option("--threads", type=click.IntRange(min=1), default=None, help="CPU threads (default: all cores).")
@click.option("--quiet", "-q", is_flag=True)
def train_embedder_command(products: Path | None, queries: Path | None, qrels: Path | None, from_log: bool,
                           db_url: str | None, base: str, out: Path, epochs: int, batch_size: int, learning_rate: float,
                           min_relevance: float, hard_negatives: bool, limit_queries: int | None, threads: int | None,
                           quiet: bool) -> None:
    """Fine-tune the text embedder on judged pairs or on logged clicks.

    With judged data it learns only from the dev-train half of the queries (the half `shopassist train ranker`
    uses); `shopassist eval retrieval` reports the other half, and a query whose text is also in that half is
    left out. Then switch to it everywhere: `shopassist index --rebuild --embedder OUT` and
    SHOPASSIST_EMBEDDER=OUT for the server and chat.
    """
    from retrieval.embedders import EmbedderError
    from retrieval.fine_tune import fine_tune_embedder, pairs_from_qrels

    progress = _progress(quiet)
    say = progress or (lambda _m: None)
    given = [p for p in (products, queries, qrels) if p is not None]
    if from_log == bool(given) or (given and len(given) != 3):
        raise click.UsageError("give either --products, --queries and --qrels together, or --from-log")
    if from_log and (limit_queries or hard_negatives):
        raise click.UsageError("--limit-queries and --hard-negatives apply to judged data, not to --from-log")
    data: TrainingPairs
    meta: dict[str, object]
    if from_log:
        data, meta = _pairs_from_log(db_url)
        if len(data.pairs) < 2:
            raise click.ClickException(
                f"too few training pairs ({len(data.pairs)}): the log needs queries whose shown results were clicked, "
                "liked, added to the cart or bought"
            )
    else:
        from catalog.records import CatalogImportError

        assert products and queries and qrels
        try:  # never the half `eval retrieval` reports
            qs, rels, titles, train_ids, heldout_ids = _dev_halves(products, queries, qrels, "embedder")
        except (CatalogImportError, ValueError) as exc:
            raise click.ClickException(str(exc)) from None
        heldout_texts = {_norm(qs[q]) for q in heldout_ids}
        train_ids = [q for q in train_ids if _norm(qs[q]) not in heldout_texts]
        if limit_queries:
            train_ids = train_ids[:limit_queries]
        data = pairs_from_qrels({q: qs[q] for q in train_ids}, rels, titles, min_relevance=min_relevance,
                                max_negative=1.67 if hard_negatives else None)
        meta = {"source": "graded labels", "split": "dev-train", "products": str(products)}
        if len(data.pairs) < 2:
            judged = {p for q in train_ids for p in rels[q]}
            untitled = len(judged - titles.keys())
            raise click.ClickException(
                f"too few training pairs ({len(data.pairs)}) in {len(train_ids)} dev-train queries: "
                f"{untitled} of the {len(judged)} judged products have no title in {products}"
                + (" (is it the products file these qrels belong to?)" if untitled else
                   f", and few judgements reach --min-relevance {min_relevance}")
            )
    say(f"training on {len(data.pairs)} pairs from {len({q for q, _ in data.pairs})} queries "
        f"({sum(len(v) for v in data.negatives.values())} hard negatives)")
    try:
        info = fine_tune_embedder(data, out, base=base, epochs=epochs, batch_size=batch_size, learning_rate=learning_rate,
                                  threads=threads, meta=meta, progress=progress)
    except (EmbedderError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    where = out.expanduser().resolve()
    click.echo(
        f"saved {where} ({info['model_id']}): {info['pairs']} pairs, {epochs} epoch(s), {info['train_seconds']}s.\n"
        f"Use it: shopassist index --rebuild --embedder {where}\n"
        f"  then SHOPASSIST_EMBEDDER={where} for `shopassist serve` / `chat` (restart a running server);\n"
        f"  or measure it: shopassist train ranker ... --embedder {where}, then eval retrieval ... --embedder {where}"
    )


@train_group.command("click-model")
@click.option("--db-url", default=None, help="Catalog whose log it reads (default: SQLite under SHOPASSIST_HOME). Env: SHOPASSIST_DB_URL.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to save it (default: SHOPASSIST_HOME/rankers/clicks.json).")
@click.option("--l2", type=float, default=1e-2, show_default=True, help="L2 penalty on the standardised weights.")
def train_click_model_command(db_url: str | None, out: Path | None, l2: float) -> None:
    """A click-through model, sigma(theta . features), trained on the shop's logged clicks: in each result list the
    products chosen (clicked, liked, carted, bought) are positives, those shown and passed over negatives. The
    assistant ranks with it once SHOPASSIST_RANKER points at the file."""
    from assistant.hybrid import build_hybrid_search
    from catalog.repository import CatalogRepository
    from retrieval.cli import _open_catalog
    from retrieval.learned_ranker import click_groups, train_from_clicks
    from retrieval.ranking import TEXT_FEATURES
    from retrieval.search import HybridSearcher

    db = _open_catalog(db_url)
    try:
        groups = click_groups(db)
        if not groups:
            raise click.ClickException("the log has no result list with a click to learn from yet: clicks, likes and carts "
                                       "on products shown for a search are logged as shoppers use the assistant")
        try:
            search = build_hybrid_search(db, CatalogRepository(db))
        except Exception as exc:  # no index yet, another catalog's index, another embedder
            raise click.ClickException(f"{exc}. Build the index first: shopassist index") from None
        searcher: HybridSearcher = search.searcher
        try:
            model = train_from_clicks(searcher, groups, list(TEXT_FEATURES), l2=l2)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        model.meta["embedder"] = getattr(searcher.embedder, "model_id", None)
    finally:
        db.close()
    from catalog.config import shopassist_home

    path = model.save(out or shopassist_home() / "rankers" / "clicks.json")
    click.echo(f"trained on {len(groups)} result lists with clicks ({model.meta.get('examples', '?')} shown products); saved {path}\n"
               f"use it: export SHOPASSIST_RANKER={path.resolve()}")


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def _pairs_from_log(db_url: str | None) -> tuple[TrainingPairs, dict[str, object]]:
    from retrieval.cli import _open_catalog
    from retrieval.fine_tune import pairs_from_clicks
    from retrieval.indexer import catalog_texts
    from retrieval.learned_ranker import click_groups

    db = _open_catalog(db_url)
    try:
        groups = click_groups(db)
        ids = sorted({pid for g in groups for pid in g.shown})
        texts = {int(pid): text for pid, text in catalog_texts(db, ids).items()} if ids else {}
    finally:
        db.close()
    return pairs_from_clicks(groups, texts), {"source": "clicks", "result_lists": len(groups)}
