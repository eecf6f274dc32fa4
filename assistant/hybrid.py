"""The assistant's bridge to retrieval's hybrid searcher (dense + lexical, context-aware reranking).

Built once at start-up from the persisted indexes (`shopassist index` builds them). When they are
missing, `ShoppingAssistant.from_config(search="auto")` falls back to catalog-only search.
"""

from __future__ import annotations

import re
from typing import Any

from assistant.intent import ShoppingIntent
from assistant.search_backend import (
    RankedItem,
    SearchContext,
    SearchOutcome,
    intent_to_filter,
    names_nothing,
    query_text,
)
from assistant.vocabulary import same_kind
from catalog.db import CatalogDB
from catalog.repository import CatalogRepository, singular

# words of a query that are no wish of what the product is (asking, people, occasions)
_NOT_WISHES = frozenset(["looking", "search", "searching", "show", "need", "want", "would", "like", "buy", "sell", "have", "please", "also", "just", "really", "very", "with", "without", "from", "what", "which", "that", "this", "these", "those", "about", "some", "more", "less", "other", "another", "kind", "sort", "type", "size", "sizes", "colour", "color", "wife", "husband", "girlfriend", "boyfriend", "friend", "mother", "father", "mom", "dad", "daughter", "son", "kids", "children", "gifts", "ideas", "idea", "than", "too",
                         "except", "rather", "instead"])


def beside_the_kind(intent: ShoppingIntent) -> str:
    """The text to search with, less the category's own word when other words are said: "waterproof jacket" in
    Jackets ranks the jackets by "waterproof" (with "jacket" every "... Jacket" ranked above the Taurus Elements
    Shell, the one whose description says waterproof). Dense retrieval still finds every product of the category;
    a lexical-only search keeps the word (its candidates come from the words)."""
    text = query_text(intent)
    leaf = [w for w in re.findall(r"[a-z]+", (intent.category or "").rsplit("/", 1)[-1].lower()) if w != "and"]
    if len(leaf) != 1:  # no category, or one of two kinds ("Hoodies & Sweatshirts"): the word that tells them apart stays
        return text
    rest = [w for w in re.findall(r"\S+", text) if singular(w.lower().strip(",.!?")) != singular(leaf[0])]
    return " ".join(rest) if [w for w in rest if not names_nothing(w.strip(",.!?"))] else text


def phrases_wished(text: str, by_first: dict[str, list[str]]) -> list[str]:
    """The attribute values of several words a query asks for: said as they are ("a hard shell jacket": Hard
    Shell), or with another word for the same kind of product ("a rain jacket": Rain Coat)."""
    out = []
    for first in dict.fromkeys(re.findall(r"[a-z0-9¼½-]+", text)):
        for value in by_first.get(first, ()):
            *mods, head = value.split()
            said = re.search(rf"(?<!\w){re.escape(' '.join(mods))}\s+(\S+)", text)
            if said and (said.group(1) == head or same_kind(said.group(1), head)):
                out.append(value)
    return out


class HybridProductSearch:
    def __init__(self, searcher: Any, indexes: Any = None):
        self.searcher = searcher
        self.indexes = indexes

    def _attribute_values(self) -> frozenset[str]:
        """The catalog's attribute values (the repository keeps them until an import)."""
        repo = getattr(self.searcher, "repo", None)
        return repo.attribute_values() if repo is not None else frozenset()

    def _phrases(self, values: frozenset[str]) -> dict[str, list[str]]:
        """The catalog's attribute values of two or more words, by first word (built once per catalog version)."""
        if getattr(self, "_phrases_of", (None,))[0] is not values:
            by_first: dict[str, list[str]] = {}
            for v in values:
                if " " in v:
                    by_first.setdefault(v.split()[0], []).append(v)
            self._phrases_of = (values, by_first)
        return self._phrases_of[1]

    def _wishes(self, intent: ShoppingIntent) -> list[str]:
        """The intent's wishes, and the query's words that are attribute values of the catalog: "a waterproof
        backpack" favours the backpacks whose features say Waterproof (they ranked by the words' relevance alone, and
        the cheapest "waterproof backpack" was one that is not)."""
        values = self._attribute_values()
        text = query_text(intent).lower()
        phrases = phrases_wished(text, self._phrases(values))
        said_in = {w for v in phrases for w in v.split()} | {m.group(1) for v in phrases
                                                             if (m := re.search(rf"{re.escape(v.rsplit(' ', 1)[0])}\s+(\S+)", text))}
        # (the words of a phrase wished are no wishes of their own: "rain jacket" wishes Rain Coat, not also Jacket)
        words = [w for w in re.findall(r"[a-z][a-z-]{2,}", text) if w in values and w not in said_in] + phrases
        if intent.category:
            # the kind is the category filter already: the words beside it are what tells its products apart
            # ("waterproof jacket": the shell whose description says Waterproof, not every "... Jacket" first),
            # and the kind's own word is no wish (every product of it has it, or a Shell ranks below every Jacket)
            # (in a category of two kinds, "Hoodies & Sweatshirts", the kind said is what tells them apart: a wish)
            leaf = [w for w in re.findall(r"[a-z]+", intent.category.rsplit("/", 1)[-1].lower()) if w != "and"]
            leaf = leaf if len(leaf) == 1 else []
            words = [w for w in words if not any(same_kind(w, x) for x in leaf)]
            # (never what is said no to: "not too heavy", "other than the Layla")
            unsaid = set(re.findall(r"\b(?:not|no|without|except|but|than|nor)\s+(?:(?:too|so|very|a|an|the|any)\s+)*([a-z-]+)",
                                    intent.query.lower()))
            words += [w for w in re.findall(r"[a-z][a-z-]{3,}", intent.query.lower())
                      if not names_nothing(w) and w not in _NOT_WISHES and w not in said_in and w not in words
                      and w not in unsaid and not any(same_kind(w, x) for x in leaf)]
        if intent.gender == "kids":  # what the catalog says is for boys or girls first ("anything for kids?")
            words += [w for w in ("kids", "boys", "girls", "children") if w in values]
        return list(dict.fromkeys([*intent.attributes, *words]))

    @property
    def embedder(self) -> Any:
        """The text embedder queries are embedded with (re-indexing must use the same one)."""
        return getattr(self.searcher, "embedder", None)

    @property
    def image_search_available(self) -> bool:
        return self.indexes is not None and getattr(self.indexes, "image_embedder", None) is not None

    @property
    def image_status(self) -> str:
        return str(getattr(self.indexes, "image_status", "image search is off"))

    def search(self, intent: ShoppingIntent, context: SearchContext, limit: int) -> SearchOutcome:
        from retrieval.search import SearchRequest, SessionContext

        image_vector = None
        if context.image is not None and self.image_search_available:
            image_vector = self.indexes.image_embedder.embed_images([context.image])[0]
        request = SearchRequest(
            query=beside_the_kind(intent),
            filter=intent_to_filter(intent, exclude_ids=context.exclude_ids, in_stock=not context.with_sold_out),
            preferences=self._wishes(intent),
            sort=intent.sort,
            limit=limit,
            session=SessionContext(
                viewed=list(context.session_viewed), liked=list(context.session_liked),
                disliked=list(context.session_disliked),
            ),
            user_id=context.user_id,
            image_vector=image_vector,
            keep_words=context.keep_words,
        )
        results = self.searcher.search(request)
        items = [RankedItem(r.product, r.score, dict(r.contributions)) for r in results]
        note = None
        if not items and results.no_match is not None:
            note = results.no_match.message
            items = [RankedItem(r.product, r.score, dict(r.contributions)) for r in results.no_match.alternatives]
        corrections = []
        if results.corrected_query:
            from retrieval.spelling import word_corrections

            corrections = word_corrections(request.query, results.corrected_query)
        return SearchOutcome(items[:limit], results.candidates, note, corrections)

    def spelling_fixes(self, text: str) -> list[tuple[str, str]]:
        """The words of `text` search would replace, as (typed, catalog word); [] when spelling is off."""
        from retrieval.spelling import word_corrections

        searched = self.searcher.corrected_query(text)
        return word_corrections(text, searched) if searched != text.lower() else []

    def unknown_words(self, words: list[str]) -> list[str]:
        """The words no product of the catalog mentions."""
        return list(self.searcher.unknown_words(words))

    def unseen_words(self, words: list[str]) -> list[str]:
        """The words no product text has."""
        return list(self.searcher.unseen_words(words))

    def invalidate(self) -> None:
        """The catalog or the index changed: the searcher's in-memory snapshot is rebuilt on the next search."""
        self.searcher.invalidate()


def build_hybrid_search(db: CatalogDB, repo: CatalogRepository) -> HybridProductSearch:
    """Open the built indexes and the searcher; raises when the index has not been built."""
    from retrieval.indexer import open_indexes
    from retrieval.search import HybridSearcher

    idx = open_indexes()
    if callable(getattr(idx.text_index, "claim_catalog", None)):
        # another catalog's index would answer with ids that name other products here
        from catalog.privacy import catalog_identity
        from retrieval.vector_index import CatalogMismatchError

        with db.session() as s:
            identity = catalog_identity(s)
        idx.text_index.claim_catalog(identity, claim=False)  # refused: no hybrid search at all
        for name in ("image_index", "color_index"):
            index = getattr(idx, name, None)
            try:
                if index is not None:
                    index.claim_catalog(identity, claim=False)
            except CatalogMismatchError as exc:  # photos of another catalog: photo search off, saying why
                setattr(idx, name, None)
                if name == "image_index":
                    idx.image_embedder = None
                    idx.image_status = f"image search is off: {exc}"
    searcher = HybridSearcher(repo, idx.embedder, idx.text_index, image_index=idx.image_index,
                              ranker=_chosen_ranker(getattr(idx.embedder, "model_id", None)))
    return HybridProductSearch(searcher, idx)


def _chosen_ranker(embedder_id: str | None) -> Any:
    """SHOPASSIST_RANKER's learned ranker, else None (the config weights); one that cannot serve this index is
    a visible warning, never a silent mix."""
    import logging

    from retrieval.learned_ranker import configured_ranker

    log = logging.getLogger(__name__)
    try:
        ranker = configured_ranker(embedder_id)
    except (ValueError, FileNotFoundError, KeyError) as exc:
        log.warning("SHOPASSIST_RANKER not used (%s); ranking with the config weights", exc)
        return None
    if ranker is not None:
        log.info("ranking with the learned ranker %s (%s)", ranker.meta.get("source", "labels"), ranker.meta)
    return ranker
