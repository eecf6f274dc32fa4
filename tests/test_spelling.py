"""Query clean-up against the catalog's own words (retrieval.spelling) and the relative text features."""

from __future__ import annotations

import pytest

from retrieval.ranking import RELATIVE_FEATURES, TEXT_FEATURES, Candidate, compute_text_features
from retrieval.spelling import QueryCorrector, edit_distance, normalize_units

TITLES = [
    "DEWALT 10 in. 60-Tooth Saw Blade",
    "Diablo 10 in. 40-Tooth Saw Blade",
    "Freud 12 in. 80-Tooth Saw Blade",
    "Blue Painter's Tape",
    "Blue Hawk Storage Bin",
    "Blue Recycling Bin",
    "Rechargeable Cordless Drill 18-Volt",
    "Rechargeable LED Work Light",
    "Rechargeable Flashlight",
    "Commercial Carpet Tile",
    "Commercial Carpet Roll",
    "Commercial Carpet Cleaner",
    "WeatherShield 2 in. x 6 in. x 8 ft. Pressure-Treated Lumber",
]


@pytest.fixture(scope="module")
def corrector() -> QueryCorrector:
    return QueryCorrector(TITLES)


def test_units_are_written_as_titles_write_them() -> None:
    assert normalize_units("2x6x8 treated") == "2 x 6 x 8 treated"
    assert normalize_units("36inch vanity") == "36 in. vanity"
    assert normalize_units('16" x 20" filter') == "16 in. x 20 in. filter"
    assert normalize_units("100feet hose") == "100 ft. hose"
    assert normalize_units("12v drill 5 amps") == "12-Volt drill 5-Amp"
    assert normalize_units("g40 bulb t8") == "g40 bulb t8"  # model numbers stay whole
    assert normalize_units("1/2' pipe") == "1/2' pipe"  # "'" is inches as often as feet: left alone


def test_edit_distance() -> None:
    assert edit_distance("blde", "blade") == 1
    assert edit_distance("form", "from") == 1  # a transposition is one edit
    assert edit_distance("drill", "drill") == 0
    assert edit_distance("pantries", "entries") == 2


def test_misspelt_words_are_corrected_using_the_other_words(corrector: QueryCorrector) -> None:
    # "blde" is one edit from both "blade" and "blue"; "tooth" decides
    assert corrector.correct("10 60 tooth blde") == "10 60 tooth blade"
    assert corrector.correct("rechargable drill") == "rechargeable drill"
    assert corrector.correct("comercialcarpet") == "commercial carpet"
    assert corrector.changed_words("rechargable drill")


def test_correct_queries_and_unknown_words_are_left_alone(corrector: QueryCorrector) -> None:
    assert corrector.correct("Cordless Drill") == "cordless drill"
    assert not corrector.changed_words("Cordless Drill")
    assert not corrector.changed_words("36inch blade")  # only the unit changed
    assert corrector.correct("zzqx") == "zzqx"  # nothing near it
    assert corrector.correct("") == ""
    assert corrector.correct("书架") == "书架"  # other scripts pass through


def test_words_of_conversation_are_never_corrected_into_product_words() -> None:
    shop = QueryCorrector(["Full Zip Hoodies", "Pullover Hoodies", "Zip Hoodies", "How-To Book", "How To Guide", "How to Knit",
                           "Collars Set", "Dog Collars", "Cat Collars"])
    assert shop.correct("show me hodies") == "show me hoodies"  # not "how me hoodies"
    assert shop.correct("hoodies under 40 dollars") == "hoodies under 40 dollars"  # not "collars"
    assert shop.correct("dog colars") == "dog collars"
    # a brand the shop does not carry is no typo of a word of conversation its descriptions use
    looks = QueryCorrector(["Running Jacket that feels like a second skin", "Running Tee like no other", "Like New Shorts"])
    assert looks.correct("nike running shoes") == "nike running shoes"
    bikes = QueryCorrector(["Trail Bike Short", "Road Bike Short", "Gravel Bike Short"])
    assert bikes.correct("nike short") == "bike short"
    assert bikes.correct("nike short", frozenset({"nike"})) == "nike short"  # a name the shopper wrote is kept
    assert bikes.unknown(["nike", "bike"]) == ["nike"]
    # "a watch that matches my jacket" searched watches twice over: 'Showing results for "watches" (you wrote "matches")'
    watches = QueryCorrector(["Cruise Dual Analog Watch", "Aim Analog Watch", "Summit Watch", "Orion Fitted Jacket"])
    assert watches.correct("a watch that matches my jacket") == "a watch that matches my jacket"


def test_relative_features_compare_candidates_of_one_query() -> None:
    cands = [Candidate(i, t, lex_score=s, lex_rank=r) for r, (i, t, s) in enumerate(
        [(1, "DEWALT 10 in. 60-Tooth Saw Blade", 9.0), (2, "Blue Hawk Storage Bin", 3.0), (3, "Blue Recycling Bin", 1.0)])]
    compute_text_features("tooth saw blade", cands, rrf_k=60)
    assert all(set(c.text_features) >= set(TEXT_FEATURES) for c in cands)
    f0, f1 = cands[0].text_features, cands[1].text_features
    assert f0["lex_gap"] == 0.0 and f0["lex_pct"] == 0.0
    assert f1["lex_gap"] == pytest.approx(3.0 / 9.0 - 1.0) and f1["lex_pct"] == pytest.approx(1 / 3)
    assert f0["fuzzy_coverage_gap"] == 0.0 and f1["fuzzy_coverage_gap"] == pytest.approx(-1.0)
    assert all(f"{n}_gap" in TEXT_FEATURES and f"{n}_pct" in TEXT_FEATURES for n in RELATIVE_FEATURES)


def test_word_corrections_name_what_was_replaced() -> None:
    from retrieval.spelling import word_corrections

    assert word_corrections("10 60 tooth blde", "10 60 tooth blade") == [("blde", "blade")]
    assert word_corrections("comercialcarpet tile", "commercial carpet tile") == [("comercialcarpet", "commercial carpet")]
    assert word_corrections("2x6x8 board", "2 x 6 x 8 board") == []  # only the way sizes are written
    # a plural searched as its singular is not announced as the shopper's misspelling
    assert word_corrections("red backpacks", "red backpack") == []
    assert word_corrections("batteries and dresses", "battery and dress") == []
    assert word_corrections("backpaks", "backpack") == [("backpaks", "backpack")]
    assert word_corrections("saw blade", "saw blade") == []
