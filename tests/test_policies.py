"""Store policies and FAQ: the Markdown import, and the assistant answering service questions from them only."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.agent import ShoppingAssistant
from catalog.db import open_catalog
from catalog.importers.policies import load
from catalog.models import Document
from catalog.records import CatalogImportError
from catalog.service import import_source
from catalog.writer import sync_catalog
from tests.catalog_fixtures import small_store

POLICIES = """# Shipping
We ship to the US and Canada. Orders leave within 2 business days; delivery takes 3-5 business days.

## Returns & refunds
Return any unworn item within 30 days for a full refund. Damaged on arrival? We replace it free.

## Payment
We accept Visa, Mastercard, PayPal and Apple Pay.

## Contact us
Email help@example.com or call +1 555 0100. A person answers.

## Do you gift-wrap?
Yes, $4 an order: tick "gift wrap" at checkout.
"""
MORE = """
## Do you offer same-day pickup?
Yes, from our Boulder shop after 2pm.

## Order status
Guests track an order with the link in the confirmation email.
"""


@pytest.fixture
def policies_file(tmp_path: Path) -> Path:
    path = tmp_path / "policies.md"
    path.write_text(POLICIES, encoding="utf-8")
    return path


def test_each_heading_is_one_entry(policies_file: Path) -> None:
    docs = load(policies_file).documents
    assert [(d.slug, d.kind) for d in docs] == [("shipping", "policy"), ("returns-refunds", "policy"), ("payment", "policy"),
                                                ("contact-us", "policy"), ("do-you-gift-wrap", "faq")]
    assert docs[1].body == "Return any unworn item within 30 days for a full refund. Damaged on arrival? We replace it free."


@pytest.mark.parametrize(("text", "says"), [
    ("We ship everywhere.\n## Shipping\nFast.\n", "line 1: text before the first heading"),
    ("## Shipping\n\n## Returns\n30 days.\n", "line 1: the entry 'Shipping' has no text under its heading"),
    ("## Shipping\nFast.\n## shipping\nSlow.\n", "two entries are called 'shipping'"),
    ("\n\n", "no policies found"),
])
def test_a_bad_file_says_where_and_changes_nothing(tmp_path: Path, policies_file: Path, text: str, says: str) -> None:
    db = open_catalog(f"sqlite:///{tmp_path / 'c.db'}")
    import_source(db, policies_file, progress=False)
    bad = tmp_path / "bad.md"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogImportError) as err:
        import_source(db, bad, progress=False)
    assert says in str(err.value)
    with db.session() as s:
        assert s.query(Document).count() == 5  # the earlier set, untouched


def test_reimport_replaces_the_set(tmp_path: Path, policies_file: Path) -> None:
    db = open_catalog(f"sqlite:///{tmp_path / 'c.db'}")
    first = import_source(db, policies_file, progress=False)  # format guessed from .md
    assert first.format == "policies" and first.stats.documents_added == 5
    assert not import_source(db, policies_file, progress=False).stats.changed  # idempotent
    policies_file.write_text(POLICIES.replace("30 days", "60 days").split("## Payment")[0], encoding="utf-8")
    again = import_source(db, policies_file, progress=False).stats
    assert (again.documents_added, again.documents_updated, again.documents_removed) == (0, 1, 3)
    with db.session() as s:
        assert sorted(d.slug for d in s.query(Document)) == ["returns-refunds", "shipping"]


def test_cli_import(tmp_path: Path, policies_file: Path) -> None:
    from catalog.cli import catalog_group

    url = f"sqlite:///{tmp_path / 'c.db'}"
    out = CliRunner().invoke(catalog_group, ["import", str(policies_file), "--db-url", url, "-q"])
    assert out.exit_code == 0, out.output
    assert "policies added: 5" in out.output and "5 policies" in out.output and "products:" not in out.output



def test_cli_import_with_format_policies_for_a_file_it_cannot_guess(tmp_path: Path, policies_file: Path) -> None:
    from catalog.cli import FORMATS, catalog_group
    from catalog.importers import FORMATS as IMPORT_FORMATS

    assert FORMATS == IMPORT_FORMATS  # every format the error message names is one --format takes
    text = tmp_path / "policies.txt"  # a .txt is not guessed: the error says to pass --format policies
    text.write_text(policies_file.read_text(encoding="utf-8"), encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'c.db'}"
    guessed = CliRunner().invoke(catalog_group, ["import", str(text), "--db-url", url, "-q"])
    assert guessed.exit_code != 0 and "policies" in guessed.output
    out = CliRunner().invoke(catalog_group, ["import", str(text), "--format", "policies", "--db-url", url, "-q"])
    assert out.exit_code == 0, out.output
    assert "policies added: 5" in out.output

@pytest.fixture
def bot(tmp_path: Path, policies_file: Path) -> ShoppingAssistant:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    data = small_store()
    data.documents = load(policies_file).documents
    with open_catalog(url).session() as s:
        sync_catalog(s, data, progress=False)
    return ShoppingAssistant.from_config(url, llm="rules", search="catalog")


@pytest.mark.parametrize(("message", "entry"), [
    ("do you ship to Canada?", "Shipping: We ship to the US and Canada."),
    ("how long does delivery take?", "Shipping: "),
    ("how much is shipping?", "Shipping: "),
    ("¿cuánto tarda el envío?", "Shipping: "),
    ("can I pay with PayPal?", "Payment: We accept"),
    ("I want to return my order", "Returns & refunds: Return any unworn item"),
    ("my order arrived damaged", "Returns & refunds: "),
    ("可以退货吗？", "Returns & refunds："),
    ("can I talk to a human?", "Contact us: Email help@example.com"),
    ("do you gift wrap?", 'Do you gift-wrap? Yes, $4 an order: tick "gift wrap" at checkout.'),
    ("¿Puedo devolver un producto?", "Returns & refunds: Return any unworn item"),
    ("¿aceptáis PayPal?", "Payment: We accept"),
    ("可以用支付宝吗？", "Payment："),
    ("¿envolvéis para regalo?", "Do you gift-wrap? Yes"),
    # a tester's customer-service questions, which were searched ("Here are 5 i pay cash on delivery ...")
    ("hi, i ordered a top and it doesnt fit", "Returns & refunds: "),
    ("how many days do i have to send it back?", "Returns & refunds: "),
    ("i want to return the iris workout top, it was too small", "Returns & refunds: "),
    ("can i pay cash on delivery", "Payment: "),
    ("is shipping free for my order?", "Shipping: "),
    ("do you deliver on sundays?", "Shipping: "),  # (searched: "Here are 5 deliver on sundays you might like")
])
def test_service_questions_are_answered_from_the_shops_entries(bot: ShoppingAssistant, message: str, entry: str) -> None:
    from assistant.language import detect_language, say

    reply = bot.chat(message, session_id="s")
    lang = detect_language(message)
    # the shop wrote its entries in English: a Spanish or Chinese shopper is told so before the quote
    lead = say("policy_in_english", lang) + " " if lang in ("es", "zh") else ""
    assert reply.intent.kind == "policy" and reply.text.startswith(lead + entry) and not reply.products, reply.text


@pytest.mark.parametrize("message", ["what are your opening hours?", "do you price match?",
                                     "I saw it for $20 elsewhere, can you match that?"])
def test_nothing_on_a_topic_is_said_and_points_to_the_shops_contact(bot: ShoppingAssistant, message: str) -> None:
    """("do you price match?" listed watches as "5 products for match")"""
    reply = bot.chat(message, session_id="h")
    assert reply.text == ("I have no store policy on that; please contact the shop for details. "
                          "Contact us: Email help@example.com or call +1 555 0100. A person answers."), reply.text


@pytest.mark.parametrize("message", ["a shipping box", "delivery bag", "a coupon book", "red jackets", "a watch that matches my jacket",
                                     "matching socks"])
def test_product_words_that_look_like_service_words_are_searched(bot: ShoppingAssistant, message: str) -> None:
    assert bot.chat(message, session_id="p").intent.kind == "search"


@pytest.mark.parametrize("message", ["credit card holder", "a gym bag with a payment card slot", "rain jacket for a delivery rider?",
                                     "人工皮革的包", "mochila de envío", "bolsa con cupón"])
def test_payment_and_delivery_words_in_product_searches_are_searched(bot: ShoppingAssistant, message: str) -> None:
    assert bot.chat(message, session_id="w").intent.kind != "policy", message


def _shop_with(tmp_path: Path, policies: str) -> ShoppingAssistant:
    """The small store with these policies, on SQLite, rules parser, catalog search."""
    path = tmp_path / "policies.md"
    path.write_text(policies, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'shop-with.db'}"
    data = small_store()
    data.documents = load(path).documents
    with open_catalog(url).session() as s:
        sync_catalog(s, data, progress=False)
    return ShoppingAssistant.from_config(url, llm="rules", search="catalog")


def test_a_topic_without_an_entry_is_not_answered_by_a_neighbour(tmp_path: Path) -> None:
    bot = _shop_with(tmp_path, "## Gift cards\nGift cards come in $25, $50 and $100.\n\n## Contact\nEmail help@example.com.\n")
    reply = bot.chat("do you take paypal?", session_id="pp")
    assert reply.text.startswith("I have no store policy on that") and "Contact: Email" in reply.text, reply.text


def test_a_faq_asked_in_other_words_and_a_guests_order_question(tmp_path: Path) -> None:
    bot = _shop_with(tmp_path, POLICIES + MORE)
    # a heading's words in another form, one of them unsaid ("Do you offer same-day pickup?")
    pickup = bot.chat("can I do same day pickups?", session_id="p")
    assert pickup.text == "Do you offer same-day pickup? Yes, from our Boulder shop after 2pm.", pickup.text
    # a guest asking about an order: the number asked for, and the shop's own entry on tracking
    reply = bot.chat("how can I track my order?", session_id="t")
    assert reply.intent.kind == "order_status" and "order number" in reply.text
    assert reply.text.endswith("Order status: Guests track an order with the link in the confirmation email."), reply.text


@pytest.mark.parametrize("message", ["do you have a store I can visit?", "is there a physical store?", "can I shop in person?",
                                     "¿tienen tienda física?", "有实体店吗？"])
def test_a_shop_to_walk_into_is_the_shops_entry_on_it(tmp_path: Path, message: str) -> None:
    bot = _shop_with(tmp_path, POLICIES + "\n## Do you have a physical store?\nNo, we sell online only; pickup is from our warehouse.\n")
    reply = bot.chat(message, session_id="v")
    assert reply.intent.kind == "policy" and not reply.products, reply.text
    assert "we sell online only" in reply.text, reply.text


@pytest.mark.parametrize("message", ["store shelves", "a visitor badge", "what does the store sell?"])
def test_store_words_in_product_searches_are_no_visit(bot: ShoppingAssistant, message: str) -> None:
    assert bot.chat(message, session_id="s").intent.kind != "policy", message


@pytest.mark.parametrize(("message", "starts"), [
    ("delete my data", "I can't delete anything from the chat, but the shop can delete everything stored about you"),
    ("please forget me", "I can't delete anything from the chat"),
    ("what do you know about me?", "The shop keeps this conversation"),
    ("my email is roni_cost@example.com", "Please don't share your e-mail address or phone number in the chat"),
    ("you are a useless bot", "Sorry I haven't been more help."),
    ("what's the weather in paris tomorrow?", "I can only help with this shop"),
    ("borra mis datos", "No puedo borrar nada desde el chat"),
])
def test_talk_that_is_no_shopping_need_is_answered_as_what_it_is(bot: ShoppingAssistant, message: str, starts: str) -> None:
    """They were searched: 'Here are 5 know about me you might like', 'delete my data' corrected to 'date' (watches)."""
    reply = bot.chat(message, session_id="t")
    assert reply.intent.kind == "chitchat" and not reply.products and reply.text.startswith(starts), reply.text
    if message == "delete my data":  # where to ask: the shop's own contact entry
        assert "Contact us: Email help@example.com" in reply.text
    assert "roni_cost" not in reply.text  # an address typed in is never repeated


@pytest.mark.parametrize("message", ["a jacket for cold weather", "rain jacket for a delivery rider?", "a useless box",
                                     # (a review found these answered as talk or policy)
                                     "my phone is an iPhone 12, do you have a case for it?", "mi número es 42, busco zapatillas",
                                     "this thing is useless, do you have a better jacket?", "I want to return to the jackets",
                                     "明天天气怎么样？我需要一件夹克", "I want to exchange ideas for a gift"])
def test_product_needs_near_those_words_are_searched(bot: ShoppingAssistant, message: str) -> None:
    assert bot.chat(message, session_id="w").intent.kind in ("search", "refine"), message


def test_contact_details_never_reach_the_interaction_log(bot: ShoppingAssistant) -> None:
    from sqlalchemy import select

    from catalog.models import Interaction
    from catalog.privacy import redact_contact

    assert redact_contact("jackets for ann@shop.com, call +1 555 010 0200") == "jackets for [email], call [number]"
    assert redact_contact("tents under 40 between 100 and 200, size 10.5") == "tents under 40 between 100 and 200, size 10.5"
    pid = bot.chat("jackets", session_id="log").products[0].id
    bot.repo.log_interaction("click", pid, query="jackets for ann@shop.com")
    with bot.repo.db.session() as s:
        logged = [q for q in s.scalars(select(Interaction.query)) if q]
    assert logged and not any("@" in q for q in logged) and "jackets for [email]" in logged


@pytest.mark.parametrize("message", ["which jacket delivers the most warmth?", "is the rain jacket delivered with a bag?"])
def test_a_product_that_delivers_something_is_no_delivery_question(bot: ShoppingAssistant, message: str) -> None:
    """(review) 'which hoodie delivers the most warmth?' got the canned 'no store policy' answer."""
    assert bot.chat(message, session_id="d").intent.kind != "policy"
