"""The shopper's language (English, Spanish or Chinese) and the assistant's sentences in it.

Replies are templates filled with catalog facts, so a shopper who writes "busco una chaqueta roja" reads the
frame of the answer in Spanish; product names, colours and categories stay as the catalog writes them (the
assistant never translates a fact). `say(key, lang, **values)` renders strictly: a missing value raises.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

LANGUAGES = ("en", "es", "zh")

CJK = re.compile(r"[\u3400-\u9fff]")  # Chinese characters (assistant.vocabulary uses the same)
_SPANISH_SIGNS = re.compile(r"[¿¡ñ]|\b\w*(?:ción|ciones)\b")
_SPANISH_WORDS = frozenset("""
borra borrar datos mis sabes busco buscando quiero quisiera necesito tienes tienen hay algo algún alguna para una unos unas mujer hombre hombres
mujeres niño niña niños talla tallas precio precios barato barata baratos baratas caro cara más menos menor mayor
hola gracias adiós adios chao jaja jajaja llamas chiste dónde donde está estoy pedido pedidos carrito añade añadir agrega quita muéstrame muestrame enséñame
otro otra otros otras color colores chaqueta chaquetas camiseta camisetas pantalones zapatos zapatillas mochila
bolso sudadera también pero sin con del los las el la de que por favor cuál cual cuánto cuesta primero segundo
tercero último rojo roja azul negro negra blanco blanca verde gris morado cambia cámbialo cámbiala cambialo cambiala
cámbiame cambiar quise decir mejor llevo quedo compro primera segunda tercera última agrégala agrégalo añádela añádelo
cómprala cómpralo ponla ponlo me lo pagar pago finalizar compra azules rojos rojas negros negras blancos blancas verdes grises
morados moradas amarillo amarilla amarillos amarillas marrones""".split())  # noqa: SIM905
_ENGLISH_WORDS = frozenset("""
the a an and for with show me find want need looking some any what which is are do does have in of to my i you
this that these those one ones cheaper cheapest under over than size color colour jacket jackets shoes bag
please thanks thank yes how much it they them can pay checkout""".split())  # noqa: SIM905


_COURTESY = frozenset({"please", "thanks", "thank", "yes", "ok", "okay"})
_NAME_RUN = re.compile(r"\b[A-Z][\w'’™®-]*(?:\s+(?:[A-Z0-9][\w'’™®-]*))+")


def detect_language(text: str) -> str | None:
    """'zh', 'es' or 'en' when the text shows it; None when it does not ("M", "ok", "$40")."""
    if CJK.search(text or ""):
        return "zh"
    low = (text or "").lower()
    words = re.findall(r"[a-záéíóúñü]+", low)
    spanish = sum(w in _SPANISH_WORDS for w in words) + 2 * len(_SPANISH_SIGNS.findall(low))
    # a name of two capitalised words or more is no English ("Josie Yoga Jacket en azul" is Spanish)
    unnamed = re.findall(r"[a-záéíóúñü]+", _NAME_RUN.sub(" ", text or "").lower())
    english = sum(w in _ENGLISH_WORDS for w in unnamed)
    if spanish >= 2 and spanish > english or (spanish == 1 and english == 0 and len(words) <= 3 and _SPANISH_SIGNS.search(low)):
        return "es"
    if words and english == 0 and all(w in _SPANISH_WORDS or w in PRODUCT_WORDS for w in words) \
            and any(w in PRODUCT_WORDS for w in words):
        return "es"  # "mochilas", "botas de montaña": a Spanish product word said alone
    if english >= spanish and (english or any(len(w) >= 3 for w in words)):
        return "en"
    return "es" if spanish else None


def _one_edit(a: str, b: str) -> bool:
    """a and b differ by one letter inserted, dropped or changed ("chaqeta" / "chaqueta", "sudadra" / "sudadera")."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long_ = sorted((a, b), key=len)
    i = next((k for k, (x, y) in enumerate(zip(short, long_, strict=False)) if x != y), len(short))
    return short[i:] == long_[i + 1:]


_ES_FIX_TARGETS = ("hombre", "hombres", "mujer", "mujeres", "niño", "niña", "niños", "niñas")


def spanish_fixes(text: str) -> list[tuple[str, str]]:
    """(typed, meant) for the misspelt Spanish product and gender words of a Spanish message: one letter off a word
    only one known word is one letter off ("chaqeta" -> "chaqueta", "sudadra" -> "sudadera", "hobre" -> "hombre")."""
    known = [k for k in PRODUCT_WORDS if re.fullmatch(r"[a-záéíóúñü]+", k)] + list(_ES_FIX_TARGETS)
    fixes = []
    for w in dict.fromkeys(re.findall(r"[a-záéíóúñü]+", (text or "").lower())):
        if len(w) < 5 or w in PRODUCT_WORDS or w in _SPANISH_WORDS or w in _ENGLISH_WORDS or w in _ES_FIX_TARGETS:
            continue
        # (a letter left out only, never a plural: "chaqeta", "sudadra", "hobre"; "hombro", "correa", "malla" are words)
        near = [k for k in known if len(k) == len(w) + 1 and _one_edit(w, k) and k != w + "s"]
        if len(near) == 1:
            fixes.append((w, near[0]))
    return fixes


def conversation_language(text: str, history: Sequence[str] = (), own_words: Callable[[str], str] | None = None) -> str:
    """The language to answer in: this message's, else the latest earlier message's that shows one, else English.
    `own_words`: a message less what tells no language of the shopper's (names quoted), applied only to the
    messages looked at."""
    for t in [text, *reversed(list(history))]:
        if own_words is not None:
            t = own_words(t)
        lang = detect_language(t)
        # a bare name ("Solstix") is no sign of English in a Spanish conversation
        # (nor is a product's name: "Josie Yoga Jacket")
        # (nor a bare "thanks", "yes please": English courtesy a Spanish or Chinese shopper uses too)
        words = re.findall(r"[a-z]+", _NAME_RUN.sub(" ", t).lower())
        if lang is not None and (lang != "en" or any(w in _ENGLISH_WORDS for w in words)
                                 and not all(w in _COURTESY for w in words)):
            return lang
    return "en"


# Spanish and Chinese product words -> the English words an English catalog uses: searched beside the shopper's
# own words ("背包" finds the backpacks that lexical search cannot match and a category name only half-finds)
PRODUCT_WORDS: dict[str, str] = {
    "背包": "backpack", "双肩包": "backpack", "mochila": "backpack", "mochilas": "backpack",
    "手提包": "tote bag", "包": "bag", "bolso": "bag", "bolsos": "bag", "bolsa": "bag", "bolsas": "bag",
    "夹克": "jacket", "外套": "jacket", "冲锋衣": "jacket", "chaqueta": "jacket", "chaquetas": "jacket",
    "chamarra": "jacket", "abrigo": "coat", "abrigos": "coat",
    "卫衣": "hoodie", "连帽衫": "hoodie", "sudadera": "hoodie", "sudaderas": "hoodie",
    "围巾": "scarf", "bufanda": "scarf", "bufandas": "scarf",
    "t恤": "tee", "短袖": "tee", "camiseta": "tee", "camisetas": "tee", "playera": "tee", "背心": "tank",
    "瑜伽裤": "yoga pants", "运动裤": "pants", "长裤": "pants", "裤子": "pants", "pantalones cortos": "shorts", "pantalón corto": "shorts", "pantalones": "pants",
    "pantalón": "pants", "pantalon": "pants", "短裤": "shorts", "mallas": "leggings",
    "跑鞋": "running shoes", "跑步鞋": "running shoes", "运动鞋": "shoes", "鞋": "shoes", "zapatos": "shoes", "zapato": "shoes",
    "zapatillas": "shoes", "zapatilla": "shoes", "靴": "boots", "botas": "boots", "bota": "boots",
    "手表": "watch", "reloj": "watch", "relojes": "watch", "botellas": "bottle", "gorras": "cap", "文胸": "bra", "运动内衣": "sports bra", "sujetador": "bra",
    "帽子": "hat", "gorra": "cap", "gorro": "beanie", "球": "ball", "pelota": "ball", "水壶": "bottle", "botella": "bottle",
    "热水壶": "kettle", "烧水壶": "kettle", "电水壶": "kettle", "tetera": "kettle", "hervidor": "kettle", "帐篷": "tent",
    "tienda de campaña": "tent", "saco de dormir": "sleeping bag", "睡袋": "sleeping bag", "头灯": "headlamp", "linterna frontal": "headlamp",
    "跑步": "running", "correr": "running", "瑜伽": "yoga", "徒步": "hiking", "登山": "hiking",
    "senderismo": "hiking", "防水": "waterproof", "impermeable": "waterproof", "健身": "fitness", "gimnasio": "gym",
}


# Spanish and Chinese words for what a product has or is, as an English catalog's descriptions say it:
# "¿tiene capucha?", "第二个有口袋吗？" are answered from the description like "does it have a hood?"
FEATURE_WORDS: dict[str, str] = {
    "capucha": "hood", "capuchas": "hood", "bolsillo": "pocket", "bolsillos": "pocket", "cremallera": "zip",
    "cremalleras": "zip", "cierre": "zip", "impermeable": "waterproof", "impermeables": "waterproof",
    "transpirable": "breathable", "ligera": "lightweight", "ligero": "lightweight", "manga larga": "long sleeve",
    "manga corta": "short sleeve", "acolchada": "padded", "acolchado": "padded", "forro": "lining",
    "forrada": "lined", "forrado": "lined", "reflectante": "reflective", "reflectantes": "reflective",
    "ajustable": "adjustable", "elástica": "stretch", "elástico": "stretch", "algodón": "cotton", "lana": "wool",
    "poliéster": "polyester", "cuero": "leather", "térmica": "thermal", "térmico": "thermal", "correa": "strap",
    "correas": "strap", "acolchadas": "padded",
    "连帽": "hood", "兜帽": "hood", "帽子": "hood", "口袋": "pocket", "拉链": "zip", "防水": "waterproof",
    "透气": "breathable", "轻便": "lightweight", "轻量": "lightweight", "长袖": "long sleeve", "短袖": "short sleeve",
    "反光": "reflective", "可调": "adjustable", "弹力": "stretch", "棉": "cotton", "羊毛": "wool", "涤纶": "polyester",
    "皮革": "leather", "保暖": "warm", "抓绒": "fleece", "加绒": "fleece", "肩带": "strap",
}


def feature_words(text: str) -> list[tuple[str, str]]:
    """(the shopper's word, the English word) for each Spanish or Chinese feature word in `text`, one per English word."""
    out: list[tuple[str, str]] = []
    for own, en in _word_pairs(text, FEATURE_WORDS):
        if all(en != seen for _, seen in out):
            out.append((own, en))
    return out


def _word_pairs(text: str, table: dict[str, str]) -> list[tuple[str, str]]:
    """(word, its English word) for each word of `table` in `text`, longest first ("瑜伽裤" before "裤子", "manga
    larga" before "manga"); a Latin word only as a whole word, and each part of the text is read once."""
    low = (text or "").lower()
    out: list[tuple[str, str]] = []
    for word in sorted(table, key=len, reverse=True):
        hit = word in low if CJK.search(word) else re.search(rf"(?<![a-záéíóúñü]){re.escape(word)}(?![a-záéíóúñü])", low)
        if hit:
            out.append((word, table[word]))
            low = low.replace(word, " ")
    return out


# the catalog's colour names in the shopper's language, for the words around a list ("chaquetas en azul"); the
# products' own colour lists stay as the catalog writes them
COLOUR_NAMES: dict[str, tuple[str, str]] = {
    "black": ("negro", "黑色"), "blue": ("azul", "蓝色"), "brown": ("marrón", "棕色"), "gray": ("gris", "灰色"),
    "grey": ("gris", "灰色"), "green": ("verde", "绿色"), "orange": ("naranja", "橙色"), "pink": ("rosa", "粉色"),
    "purple": ("morado", "紫色"), "red": ("rojo", "红色"), "white": ("blanco", "白色"), "yellow": ("amarillo", "黄色"),
    "beige": ("beige", "米色"), "navy": ("azul marino", "藏青色"), "silver": ("plateado", "银色"), "gold": ("dorado", "金色"),
}


def colour_name(colour: str, lang: str) -> str:
    """'Blue' -> 'azul' (es), '蓝色' (zh); a colour without a known name stays as the catalog writes it, lower case."""
    names = COLOUR_NAMES.get(colour.lower())
    if names is None or lang not in ("es", "zh"):
        return colour.lower()
    return names[0] if lang == "es" else names[1]


def english_product_words(text: str) -> list[str]:
    """The English words of the Spanish or Chinese product words in `text` ('背包' -> ['backpack'])."""
    return list(dict.fromkeys(en for _, en in product_word_pairs(text)))


def product_word_pairs(text: str) -> list[tuple[str, str]]:
    """(the shopper's word, its English word) for each Spanish or Chinese product word in `text`."""
    return _word_pairs(text, PRODUCT_WORDS)


MESSAGES: dict[str, dict[str, str]] = {
    # ----- the list
    "here_are": {"en": "Here are {n} {need} you might like:", "es": "Aquí tienes {n} {need} que te pueden gustar:",
                 "zh": "为您找到{n}件{need}："},
    "one_match": {"en": "One match for {need}:", "es": "Un resultado para {need}:", "zh": "找到1件{need}："},
    # "do you have water bottles?": the bottles counted as what was asked, the bags that mention bottles as more
    "some_of_kind": {"en": "Here are {n} {need}, and {m} more you might like:",
                     "es": "Aquí tienes {n} {need} y {m} más que te pueden gustar:", "zh": "为您找到{n}件{need}，另有{m}件您可能喜欢："},
    "one_of_kind": {"en": "Here is 1 {need}, and {m} more you might like:",
                    "es": "Aquí tienes 1 {need} y {m} más que te pueden gustar:", "zh": "为您找到1件{need}，另有{m}件您可能喜欢："},
    "cheapest": {"en": "The cheapest {need}: {name} at {price}.", "es": "Lo más barato en {need}: {name}, por {price}.",
                 "zh": "最便宜的{need}：{name}，{price}。"},
    "dearest": {"en": "The most expensive {need}: {name} at {price}.", "es": "Lo más caro en {need}: {name}, por {price}.",
                "zh": "最贵的{need}：{name}，{price}。"},
    "alternatives": {"en": "Closest alternatives:", "es": "Las alternativas más cercanas:", "zh": "最接近的选择："},
    "nothing_found": {"en": "I could not find anything in our catalog for that. Could you describe it differently?",
                      "es": "No encontré nada en nuestro catálogo para eso. ¿Puedes describirlo de otra forma?",
                      "zh": "我们的商品目录里没有找到相关商品。能换个说法描述一下吗？"},
    "out_of_stock_tag": {"en": " (out of stock)", "es": " (agotado)", "zh": "（缺货）"},
    "corrections": {"en": "Showing results for {searched} (you wrote {wrote}).",
                    "es": "Mostrando resultados para {searched} (escribiste {wrote}).",
                    "zh": "显示{searched}的结果（您输入的是{wrote}）。"},
    # a requirement the shopper relaxed ("it doesn't have to be waterproof"), said above the list without it
    "relaxed": {"en": 'I have dropped "{what}" from your search.', "es": "He quitado «{what}» de tu búsqueda.",
                "zh": "已从搜索条件中去掉“{what}”。"},
    # "not only jackets, scarves too": the other kind listed with the first one
    "widened": {"en": 'I have added "{what}" to your search.', "es": "He añadido «{what}» a tu búsqueda.",
                "zh": "已在搜索条件中加上“{what}”。"},
    "relaxed_for": {"en": 'I have dropped "for {who}" from your search.', "es": "He quitado «para {who}» de tu búsqueda.",
                    "zh": "已从搜索条件中去掉“{who}”。"},
    # ----- describing the need
    "gender_women": {"en": "women's", "es": "de mujer", "zh": "女士"},
    "gender_men": {"en": "men's", "es": "de hombre", "zh": "男士"},
    "gender_kids": {"en": "kids'", "es": "infantiles", "zh": "儿童"},
    "in_size": {"en": "in size {sizes}", "es": "en talla {sizes}", "zh": "{sizes}码"},
    "without": {"en": "without {what}", "es": "sin {what}", "zh": "（不含{what}）"},
    "not_in_colours": {"en": "not in {colours}", "es": "que no sean {colours}", "zh": "（非{colours}）"},
    "in_colours": {"en": "{colours}", "es": "en {colours}", "zh": "{colours}"},
    "between": {"en": "between {lo} and {hi}", "es": "entre {lo} y {hi}", "zh": "{lo}到{hi}之间"},
    "under": {"en": "under {hi}", "es": "por menos de {hi}", "zh": "{hi}以下"},
    # a cap below the list on screen ("something cheaper"), never said as the shopper's budget ("under $28.99")
    "cheaper_than_price": {"en": "cheaper than {price}", "es": "por menos de {price}", "zh": "低于{price}"},
    # the words an explicit sort kept to ("the cheapest black yoga pants", not "black pants" above a dearer yoga pant)
    "narrowed_kind": {"en": "{what} {kind}", "es": "{kind} de {what}", "zh": "{what}{kind}"},
    "over": {"en": "over {lo}", "es": "por más de {lo}", "zh": "{lo}以上"},
    "products": {"en": "products", "es": "productos", "zh": "商品"},
    # ----- why this
    "size_value": {"en": "size {size}", "es": "talla {size}", "zh": "{size}码"},
    "within_budget": {"en": "{price} is within your {budget}", "es": "{price} está dentro de tu presupuesto de {budget}",
                      "zh": "{price}，在您{budget}的预算内"},
    "above_budget": {"en": "{price}, above your {budget}", "es": "{price}, por encima de tu presupuesto de {budget}",
                     "zh": "{price}，超出您{budget}的预算"},
    "over_minimum": {"en": "{price}, over your {budget}", "es": "{price}, por encima de tus {budget}", "zh": "{price}，高于您的{budget}"},
    "on_sale": {"en": "on sale from {regular}", "es": "rebajado (antes {regular})", "zh": "特价（原价{regular}）"},
    "rating": {"en": "{avg}★ from {n} review{s}", "es": "{avg}★ de {n} reseña{s}", "zh": "{avg}★（{n}条评价）"},
    "only_left": {"en": "only {n} left", "es": "solo quedan {n}", "zh": "仅剩{n}件"},
    "reason_popularity": {"en": "popular with shoppers", "es": "popular entre los clientes", "zh": "很受欢迎"},
    "reason_season": {"en": "suits the season", "es": "ideal para la temporada", "zh": "适合当季"},
    "reason_session": {"en": "like what you liked here", "es": "parecido a lo que te gustó", "zh": "与您喜欢的相似"},
    "reason_liked before": {"en": "you liked it", "es": "te gustó", "zh": "您喜欢过"},
    "reason_history": {"en": "like things you picked before", "es": "como lo que elegiste antes", "zh": "与您之前选择的相似"},
    "reason_image": {"en": "looks like your photo", "es": "se parece a tu foto", "zh": "与您的照片相似"},
    "reason_recency": {"en": "new in", "es": "novedad", "zh": "新品"},
    # a kind of product wished for ("dress") that the product is: said so, never a bare "Dress"
    "reason_kind": {"en": "{what}, as asked", "es": "{what}, como pediste", "zh": "{what}，符合您的要求"},
    # ----- answers
    "which_of_these": {"en": "Which of these do you mean? Say for example 'the second one', or its name.",
                       "es": "¿Cuál de estos quieres decir? Di por ejemplo «el segundo», o su nombre.",
                       "zh": "您指的是哪一个？请说例如“第二个”，或说出商品名称。"},
    "only_one_shown": {"en": "Only one product is shown: {names}. Say 'the first one', or its name.",
                       "es": "Solo se muestra un producto: {names}. Di «el primero», o su nombre.",
                       "zh": "目前只展示了一件商品：{names}。请说“第一个”，或说出商品名称。"},
    "only_one_to_compare": {"en": "Only one product is shown: {names}. Name another product to compare it with.",
                            "es": "Solo se muestra un producto: {names}. Dime otro producto para compararlo.",
                            "zh": "目前只展示了一件商品：{names}。请说出另一件要比较的商品。"},
    "only_some_shown": {"en": "Only {n} products are shown: {names}. Say for example 'the first one', or its name.",
                        "es": "Solo se muestran {n} productos: {names}. Di por ejemplo «el primero», o su nombre.",
                        "zh": "目前只展示了{n}件商品：{names}。请说例如“第一个”，或说出商品名称。"},
    "which_product": {"en": "Which product do you mean? Say for example 'the second one', after I have shown you some.",
                      "es": "¿Qué producto quieres decir? Di por ejemplo «el segundo», después de que te muestre algunos.",
                      "zh": "您指的是哪件商品？请在我展示商品后说，例如“第二个”。"},
    "cart_already": {"en": "Your cart already has {name}; nothing changed.", "es": "Tu carrito ya tiene {name}; no cambió nada.",
                     "zh": "您的购物车里已经是{name}，没有改动。"},
    "no_size_in_shop": {"en": "We have nothing in size {size} (our sizes: {sizes}); here are other sizes.",
                        "es": "No tenemos nada en talla {size} (nuestras tallas: {sizes}); aquí tienes otras tallas.",
                        "zh": "我们没有{size}码的商品（现有尺码：{sizes}）；以下是其他尺码。"},
    "cart_pick_size": {"en": "Which size? It comes in {values}: say for example 'change the size to {example}'.",
                       "es": "¿Qué talla? Viene en {values}: di por ejemplo «cámbiala a talla {example}».",
                       "zh": "要哪个尺码？有 {values}：例如说“尺码换成{example}”。"},
    "cart_pick_color": {"en": "Which colour? It comes in {values}: say for example 'change the colour to {example}'.",
                        "es": "¿Qué color? Viene en {values}: di por ejemplo «cámbiala a {example}».",
                        "zh": "要哪个颜色？有 {values}：例如说“颜色换成{example}”。"},
    # "the first one in green" of a tee with no green: those of its kind that do come in it, to pick from
    "in_colour_instead": {"en": "These {kind} do come in {colour}: {names}.", "es": "Estos {kind} sí vienen en {colour}: {names}.",
                          "zh": "这些{kind}有{colour}：{names}。"},
    # ... then "add 2": never added in a colour not asked for; which colour, or one of those offered
    "colour_unmet_ask": {"en": "{name} doesn't come in {colour}. Which colour would you like? It comes in {values}: say for example 'add it in {example}'.",
                         "es": "{name} no viene en {colour}. ¿Qué color quieres? Viene en {values}: di por ejemplo «añádelo en {example}».",
                         "zh": "{name}没有{colour}。您想要哪个颜色？有 {values}：例如说“加入购物车，{example}”。"},
    "colour_unmet_ask_others": {
        "en": "{name} doesn't come in {colour}. Would you like it in one of its colours ({values}: say for example 'add it in {example}'), "
              "or one of those in {colour}: {names} (say for example 'add the {other}')?",
        "es": "{name} no viene en {colour}. ¿Lo quieres en uno de sus colores ({values}: di por ejemplo «añádelo en {example}») "
              "o uno de los que vienen en {colour}: {names} (di por ejemplo «añade {other}»)?",
        "zh": "{name}没有{colour}。您想要它的其他颜色（{values}：例如说“加入购物车，{example}”），还是{colour}的其中一款：{names}（例如说“把{other}加入购物车”）？"},
    "in_shop_sale": {"en": "in the shop's sale, at its full price", "es": "en las rebajas de la tienda, a precio completo",
                     "zh": "参加商店促销，按原价出售"},
    "on_sale_need": {"en": "on sale", "es": "en oferta", "zh": "（特价）"},
    "cart_kept": {"en": "I have left your cart as it is.", "es": "He dejado tu carrito como está.", "zh": "购物车保持不变。"},
    "cart_sold_out": {"en": "{name} is out of stock at the moment, so I have not added it.",
                      "es": "{name} está agotado por ahora, así que no lo he añadido.", "zh": "{name}目前缺货，未加入购物车。"},
    "cart_sold_out_change": {"en": "{name} is out of stock at the moment, so I have left your cart as it is.",
                             "es": "{name} está agotado por ahora, así que he dejado tu carrito como está.",
                             "zh": "{name}目前缺货，购物车保持不变。"},
    "not_in_size": {"en": "not in size {value} (sizes: {offered})", "es": "no viene en talla {value} (tallas: {offered})",
                    "zh": "没有{value}码（尺码：{offered}）"},
    "not_in_colour": {"en": "not in {value} (colours: {offered})", "es": "no viene en {value} (colores: {offered})",
                      "zh": "没有{value}（颜色：{offered}）"},
    "order_ask_number": {"en": "Please give me your order number (for example M-000001). Signed in, you can also ask me for your recent orders.",
                         "es": "Dame tu número de pedido (por ejemplo M-000001). Con la sesión iniciada, también puedes pedirme tus pedidos recientes.",
                         "zh": "请提供您的订单号（例如 M-000001）。登录后，您也可以让我查看最近的订单。"},
    "order_not_on_account": {"en": "I could not find an order {number} on your account. Please check the number.",
                             "es": "No encontré un pedido {number} en tu cuenta. Comprueba el número.",
                             "zh": "您的账户中没有订单 {number}。请核对订单号。"},
    "order_sign_in": {"en": "Please sign in as the customer who placed that order to see its status.",
                      "es": "Inicia sesión como el cliente que hizo ese pedido para ver su estado.",
                      "zh": "请以下单的顾客身份登录后查看该订单的状态。"},
    "order_is": {"en": "Order {number} is {status}: {lines}; total {total}.",
                 "es": "El pedido {number} está {status}: {lines}; total {total}.",
                 "zh": "订单 {number} 状态：{status}：{lines}；合计 {total}。"},
    "orders_none": {"en": "I found no orders on your account. For an order placed as a guest, give me its order number.",
                    "es": "No encontré pedidos en tu cuenta. Para un pedido hecho como invitado, dame su número.",
                    "zh": "您的账户中没有订单。如果是以访客身份下的订单，请提供订单号。"},
    "orders_most_recent": {"en": "Your {n} most recent orders:", "es": "Tus {n} pedidos más recientes:", "zh": "您最近的 {n} 个订单："},
    "orders_one": {"en": "Your order:", "es": "Tu pedido:", "zh": "您的订单："},
    "orders_n": {"en": "Your {n} orders:", "es": "Tus {n} pedidos:", "zh": "您的 {n} 个订单："},
    "orders_item_undated": {"en": "{i}. {number}: {status}, total {total}: {items}", "es": "{i}. {number}: {status}, total {total}: {items}",
                            "zh": "{i}. {number}：{status}，合计 {total}：{items}"},
    "orders_item": {"en": "{i}. {number}: {status}, placed {date}, total {total}: {items}",
                    "es": "{i}. {number}: {status}, realizado el {date}, total {total}: {items}",
                    "zh": "{i}. {number}：{status}，下单日期 {date}，合计 {total}：{items}"},
    "orders_hint": {"en": "To see what is in one, ask for example 'where is my order {number}?'.",
                    "es": "Para ver qué contiene uno, pregunta por ejemplo «¿dónde está mi pedido {number}?».",
                    "zh": "要查看某个订单的内容，可以问例如“我的订单 {number} 到哪了？”。"},
    "shop_sizes": {"en": "Our sizes: {values}.", "es": "Nuestras tallas: {values}.", "zh": "我们的尺码：{values}。"},
    "shop_colours": {"en": "Our colours: {values}.", "es": "Nuestros colores: {values}.", "zh": "我们的颜色：{values}。"},
    "shop_brands": {"en": "Our brands: {values}.", "es": "Nuestras marcas: {values}.", "zh": "我们的品牌：{values}。"},
    "shop_has_no": {"en": "Our catalog lists no {what}.", "es": "Nuestro catálogo no indica {what}.", "zh": "我们的商品目录中没有列出{what}。"},
    "currency_read_as": {"en": "(Our prices are in {currency}: I have read your budget in {currency}.)",
                         "es": "(Nuestros precios están en {currency}: he leído tu presupuesto en {currency}.)",
                         "zh": "（本店以{currency}标价：您的预算已按{currency}计算。）"},
    "currency_USD": {"en": "US dollars", "es": "dólares estadounidenses", "zh": "美元"},
    "currency_EUR": {"en": "euros", "es": "euros", "zh": "欧元"},
    "currency_GBP": {"en": "pounds sterling", "es": "libras esterlinas", "zh": "英镑"},
    "currency_CNY": {"en": "Chinese yuan", "es": "yuanes chinos", "zh": "人民币"},
    "filled_only": {"en": "({value}: the only {what} we have in {given}.)", "es": "({value}: {what} que nos queda en {given}.)",
                    "zh": "（{given}只剩{value}{what}。）"},
    "what_size": {"en": "size", "es": "la única talla", "zh": "码"},
    "what_colour": {"en": "colour", "es": "el único color", "zh": "颜色"},
    "farewell": {"en": "Goodbye! Come back any time.", "es": "¡Hasta pronto! Vuelve cuando quieras.", "zh": "再见！欢迎随时再来。"},
    "goodbye": {"en": "You're welcome! Come back any time.", "es": "¡De nada! Vuelve cuando quieras.", "zh": "不客气！欢迎随时再来。"},
    "no_word_matches": {"en": 'Nothing in our catalog matches "{words}".', "es": "Nada en nuestro catálogo coincide con «{words}».",
                        "zh": "我们的商品目录中没有与“{words}”相符的商品。"},
    "privacy_delete": {"en": "I can't delete anything from the chat, but the shop can delete everything stored about you (your "
                                 "conversations and your logged activity): ask them.",
                       "es": "No puedo borrar nada desde el chat, pero la tienda puede borrar todo lo que guarda sobre ti (tus "
                             "conversaciones y tu actividad): pídeselo.",
                       "zh": "我无法在聊天中删除数据，但商店可以删除关于您的全部记录（对话和活动记录），请联系商店。"},
    "privacy_what": {"en": "The shop keeps this conversation (what you asked, the products shown, what you liked and your cart) and "
                           "logs your clicks and likes under a pseudonym, never your name or e-mail. Signed in, I can also read your "
                           "orders with the shop. The shop can export or delete all of it for you.",
                     "es": "La tienda guarda esta conversación (lo que pediste, los productos mostrados, lo que te gustó y tu carrito) "
                           "y registra tus clics y 'me gusta' con un seudónimo, nunca con tu nombre ni tu correo. Si inicias sesión, "
                           "también puedo leer tus pedidos. La tienda puede exportarlo o borrarlo todo.",
                     "zh": "商店会保存本次对话（您的提问、展示的商品、您喜欢的商品和购物车），并以化名记录您的点击和喜欢，"
                           "不会记录您的姓名或邮箱。登录后我还能查看您在本店的订单。商店可以为您导出或删除全部数据。"},
    "contact_in_chat": {"en": "Please don't share your e-mail address or phone number in the chat; I don't need them. To see your "
                              "orders, sign in on the shop, or give me an order number.",
                        "es": "Por favor, no compartas tu correo ni tu teléfono en el chat; no los necesito. Para ver tus pedidos, "
                              "inicia sesión en la tienda o dame un número de pedido.",
                        "zh": "请不要在聊天中提供邮箱或电话，我不需要这些信息。查看订单请登录商店，或告诉我订单号。"},
    "sorry_unhelpful": {"en": "Sorry I haven't been more help. Tell me what you're looking for (for example 'a waterproof jacket "
                              "under $80'), or ask how to contact the shop to reach a person.",
                        "es": "Siento no haber sido de más ayuda. Dime qué buscas (por ejemplo 'una chaqueta impermeable por menos "
                              "de $80') o pregunta cómo contactar con la tienda para hablar con una persona.",
                        "zh": "抱歉没能帮上忙。请告诉我您在找什么（例如“80美元以下的防水夹克”），或询问商店的联系方式以联系人工客服。"},
    "off_topic": {"en": "I can only help with this shop: its products, your cart, your orders and the shop's policies.",
                  "es": "Solo puedo ayudarte con esta tienda: sus productos, tu carrito, tus pedidos y sus políticas.",
                  "zh": "我只能帮您处理本店的事务：商品、购物车、订单和商店政策。"},
    "liked_list": {"en": "What you liked in this conversation:", "es": "Lo que te gustó en esta conversación:", "zh": "您在本次对话中喜欢的商品："},
    "liked_none": {"en": "You haven't liked anything in this conversation yet.", "es": "Todavía no te ha gustado nada en esta conversación.",
                   "zh": "您在本次对话中还没有喜欢的商品。"},
    "liked_none_similar": {"en": "You haven't liked anything yet in this conversation, so there is nothing to find more like it. "
                                 "Like a product first, or tell me what you are looking for.",
                           "es": "Todavía no te ha gustado nada en esta conversación, así que no hay nada con qué buscar parecidos. "
                                 "Marca primero un producto que te guste, o dime qué buscas.",
                           "zh": "您在本次对话中还没有喜欢任何商品，所以暂时无法查找相似的商品。请先点赞一件商品，或告诉我您在找什么。"},
    "goes_with": {"en": "What the shop suggests with {name}:", "es": "Lo que la tienda sugiere con {name}:", "zh": "商店为{name}推荐的搭配："},
    "goes_with_none": {"en": "The shop lists nothing in stock to go with {name}.", "es": "La tienda no tiene nada en stock que sugiera con {name}.",
                       "zh": "商店没有为{name}列出有货的搭配商品。"},
    "greeting": {"en": "Hi! I can help you find products, compare them, manage your cart, or check an order. What are you looking for?",
                 "es": "¡Hola! Puedo ayudarte a encontrar productos, compararlos, gestionar tu carrito o consultar un pedido. ¿Qué buscas?",
                 "zh": "您好！我可以帮您查找和比较商品、管理购物车或查询订单。您想找什么？"},
    "everything_shown": {"en": "That is everything I found for this. Try another colour, size or price, or ask for something else.",
                         "es": "Eso es todo lo que encontré. Prueba con otro color, talla o precio, o pide otra cosa.",
                         "zh": "符合条件的就这些了。可以换个颜色、尺码或价格，或者找点别的。"},
    "already_cheapest": {"en": "{name} at {price} is already the cheapest I found for this; nothing cheaper matches.",
                         "es": "{name}, por {price}, ya es lo más barato que encontré; no hay nada más barato.",
                         "zh": "{name}（{price}）已经是我找到的最便宜的了，没有更便宜的。"},
    "already_dearest": {"en": "{name} at {price} is already the most expensive I found for this; nothing pricier matches.",
                        "es": "{name}, por {price}, ya es lo más caro que encontré; no hay nada más caro.",
                        "zh": "{name}（{price}）已经是我找到的最贵的了，没有更贵的。"},
    "kind_sold_out": {"en": "Our {what} are out of stock right now; here is what comes closest.",
                      "es": "Nuestros {what} están agotados por ahora; esto es lo más parecido.",
                      "zh": "{what}目前缺货；以下是最接近的商品。"},
    "sold_out": {"en": "{name} is out of stock right now; here is what comes closest.",
                 "es": "{name} está agotado por ahora; esto es lo más parecido.", "zh": "{name}目前缺货；以下是最接近的商品。"},
    # a product asked for by name that the shop has taken off sale: said, above the closest it still sells
    "no_longer_sold": {"en": "{name} is no longer available; here is what comes closest.",
                       "es": "{name} ya no está disponible; esto es lo más parecido.", "zh": "{name}已下架；以下是最接近的商品。"},
    "not_in_catalog": {"en": "Nothing in our catalog mentions {names}.", "es": "Nada en nuestro catálogo menciona {names}.",
                       "zh": "我们的商品目录中没有{names}。"},
    "cart_added": {"en": "Added {names} to your cart.", "es": "Añadí {names} a tu carrito.", "zh": "已将{names}加入购物车。"},
    "none_matching_made_for": {"en": "Nothing that matches is made for {who}; these are for anyone.",
                               "es": "Nada de lo que coincide está hecho para {who}; esto es para cualquiera.",
                               "zh": "符合条件的商品中没有专为{who}设计的；以下商品人人适用。"},
    "none_made_for": {"en": "We have nothing made for {who}; these are for anyone.", "es": "No tenemos nada hecho para {who}; esto es para cualquiera.",
                      "zh": "我们没有专为{who}设计的商品；以下商品人人适用。"},
    "who_kids": {"en": "kids", "es": "niños", "zh": "儿童"},
    "who_women": {"en": "women", "es": "mujeres", "zh": "女士"},
    "who_men": {"en": "men", "es": "hombres", "zh": "男士"},
    "not_carried": {"en": 'We do not carry "{what}".', "es": "No vendemos «{what}».", "zh": "我们没有“{what}”这类商品。"},
    "shop_carries": {"en": "We carry {kinds}.", "es": "Vendemos: {kinds}.", "zh": "我们有：{kinds}。"},
    "shop_carries_more": {"en": "We carry {kinds}, and more.", "es": "Vendemos: {kinds}, y más.", "zh": "我们有：{kinds}等。"},
    "closest_colour": {"en": "We have nothing in {asked}; these are {shown}, the closest colour we have.",
                       "es": "No tenemos nada en {asked}; estos son {shown}, el color más parecido que tenemos.",
                       "zh": "我们没有{asked}的商品；以下是最接近的{shown}。"},
    # "silk hat" where the shop sells hats, none of them silk: said plainly above the hats it has (they were listed
    # as if silk), with what the catalog says they are instead where it says
    "no_such_wish": {"en": "We have no {what}; here are the {kind} we have.",
                     "es": "No tenemos {what}; esto es lo que tenemos en {kind}.",
                     "zh": "我们没有{what}；以下是我们现有的{kind}。"},
    # "jackets, they need to be waterproof" where no jacket's name or attributes say so: said plainly above the
    # jackets there are (never listed as if waterproof), with what the catalog says they have instead where it says
    "unlisted_wish": {"en": 'None of our {kind} lists "{what}"; here are the {kind} we have.',
                      "es": "Ninguno de nuestros productos de {kind} indica «{what}»; esto es lo que tenemos en {kind}.",
                      "zh": "我们的{kind}都没有标注“{what}”；以下是我们现有的{kind}。"},
    "unlisted_wish_values": {"en": 'None of our {kind} lists "{what}"; here are the {kind} we have ({label}: {values}).',
                             "es": "Ninguno de nuestros productos de {kind} indica «{what}»; esto es lo que tenemos en {kind} ({label}: {values}).",
                             "zh": "我们的{kind}都没有标注“{what}”；以下是我们现有的{kind}（{label}：{values}）。"},
    # "no hace falta", "不用了", "nope" after a list: a polite decline, answered so (the conversation stays as it was)
    "declined": {"en": "No problem! Let me know if you need anything else.", "es": "¡De acuerdo! Avísame si necesitas algo más.",
                 "zh": "好的！如果还需要什么，随时告诉我。"},
    "no_such_wish_values": {"en": "We have no {what}; here are the {kind} we have ({label}: {values}).",
                            "es": "No tenemos {what}; esto es lo que tenemos en {kind} ({label}: {values}).",
                            "zh": "我们没有{what}；以下是我们现有的{kind}（{label}：{values}）。"},
    # "do you have a Sol jacket?" where no jacket is named (or described) so: a name-like word the kind lacks
    "no_such_name": {"en": 'We have no "{name}" {kind}; here are the {kind} we have.',
                     "es": "No tenemos {kind} «{name}»; esto es lo que tenemos en {kind}.",
                     "zh": "我们没有“{name}”{kind}；以下是我们现有的{kind}。"},
    "cart_quantity": {"en": "{name}: quantity {n}.", "es": "{name}: cantidad {n}.", "zh": "{name}：数量 {n}。"},
    "cart_changed": {"en": "Changed to {name}.", "es": "Cambiado a {name}.", "zh": "已改为{name}。"},
    "cart_which_change": {"en": "Which item in your cart should I change? Name it.",
                          "es": "¿Qué artículo de tu carrito cambio? Dime su nombre.", "zh": "要修改购物车里的哪一件？请说出名称。"},
    "cart_fewer_now": {"en": "Only {n} of {name} left now, so your cart holds {n}.",
                       "es": "Ahora solo quedan {n} de {name}, así que tu carrito tiene {n}.",
                       "zh": "{name}现在仅剩{n}件，购物车中的数量已改为{n}。"},
    "cart_gone": {"en": "{names} is no longer available, so I took it out of your cart.",
                  "es": "{names} ya no está disponible, así que lo quité de tu carrito.",
                  "zh": "{names}已下架，已从您的购物车中移除。"},
    "cart_removed": {"en": "Removed {names}.", "es": "Quité {names}.", "zh": "已移除{names}。"},
    "cart_not_in_one": {"en": "{names} is not in your cart.", "es": "{names} no está en tu carrito.", "zh": "{names}不在您的购物车中。"},
    "cart_not_in_many": {"en": "{names} are not in your cart.", "es": "{names} no están en tu carrito.", "zh": "{names}不在您的购物车中。"},
    "cart_which": {"en": "Which one should I remove? Name it or say 'the second one'.",
                   "es": "¿Cuál quito? Dime su nombre o di «el segundo».", "zh": "要移除哪一件？请说出名称，或者说“第二个”。"},
    "cart_which_line": {"en": "Which one should I take off: {lines}? Say its size or colour.",
                        "es": "¿De cuál quito: {lines}? Dime su talla o color.", "zh": "要减少哪一件：{lines}？请说出尺码或颜色。"},
    # (lines of several products: a name tells them apart)
    "cart_which_line_named": {"en": "Which one should I take off: {lines}? Name it, or say its size or colour.",
                              "es": "¿De cuál quito: {lines}? Dime su nombre, talla o color.",
                              "zh": "要减少哪一件：{lines}？请说出名称、尺码或颜色。"},
    "cart_which_quantity": {"en": "Which item's quantity should I change: {lines}? Name it, or say its size or colour.",
                            "es": "¿De qué artículo cambio la cantidad: {lines}? Dime su nombre, talla o color.",
                            "zh": "要修改哪一件的数量：{lines}？请说出名称、尺码或颜色。"},
    "cart_empty": {"en": "Your cart is empty.", "es": "Tu carrito está vacío.", "zh": "您的购物车是空的。"},
    # "make it 10" with nothing in the cart and no size or budget said before: which of them it is
    "which_number": {"en": "Is {n} the size or your budget? Say for example 'size {n}' or 'under {n}'.",
                     "es": "¿{n} es la talla o tu presupuesto? Di por ejemplo «talla {n}» o «menos de {n}».",
                     "zh": "{n}是指尺码还是预算？请说例如“{n}码”或“{n}以下”。"},
    "cart_summary": {"en": "Your cart: {items}. Total {total}.", "es": "Tu carrito: {items}. Total {total}.",
                     "zh": "购物车：{items}。合计{total}。"},
    # "checkout", "I want to pay", "quiero pagar", "结账": the cart, and where paying happens (never a link or a step
    # the shop has not given)
    "checkout": {"en": "I can't take payment in this chat: you pay in the shop's own checkout.",
                 "es": "No puedo cobrar en este chat: el pago se hace en el proceso de compra de la propia tienda.",
                 "zh": "我无法在聊天中收款：请在商店自己的结账流程中付款。"},
    "variant": {"en": " in {bits}", "es": " en {bits}", "zh": "（{bits}）"},
    "no_sizes": {"en": "{name} comes in one size only: say 'add it' to add it as it is.",
                 "es": "{name} viene en talla única: di «añádelo» para añadirlo tal cual.",
                 "zh": "{name}只有一个尺码：说“加入购物车”即可添加。"},
    "no_colours": {"en": "{name} comes in one colour only: say 'add it' to add it as it is.",
                   "es": "{name} viene en un solo color: di «añádelo» para añadirlo tal cual.",
                   "zh": "{name}只有一种颜色：说“加入购物车”即可添加。"},
    "no_sizes_to_change": {"en": "{name} comes in one size only, so there is no size to change.",
                           "es": "{name} viene en talla única: no hay talla que cambiar.", "zh": "{name}只有一个尺码，无需更换。"},
    "no_colours_to_change": {"en": "{name} comes in one colour only, so there is no colour to change.",
                             "es": "{name} viene en un solo color: no hay color que cambiar.", "zh": "{name}只有一种颜色，无需更换。"},
    "no_such_size": {"en": "{name} does not come in size {value}; it comes in {offered}.",
                     "es": "{name} no viene en talla {value}; está disponible en {offered}.",
                     "zh": "{name}没有{value}码，可选尺码：{offered}。"},
    "no_such_color": {"en": "{name} does not come in colour {value}; it comes in {offered}.",
                      "es": "{name} no viene en color {value}; está disponible en {offered}.",
                      "zh": "{name}没有{value}这个颜色，可选颜色：{offered}。"},
    "not_compared": {"en": 'The catalog does not say which is {what}.', "es": "El catálogo no dice cuál es «{what}».",
                     "zh": "商品目录中没有说明哪个“{what}”。"},
    "tied_reviewed": {"en": "Equally well reviewed: {names}, {stars}★ from {n} reviews each.",
                      "es": "Igual de bien valoradas: {names}, {stars}★ ({n} reseñas cada una).",
                      "zh": "评价同样好：{names}，各{stars}★（{n}条评价）。"},
    "best_reviewed": {"en": "Best reviewed: {name}, {stars}★ from {n} reviews.", "es": "La mejor valorada: {name}, {stars}★ ({n} reseñas).",
                      "zh": "评价最好的是{name}：{stars}★（{n}条评价）。"},
    "review_quotes": {"en": "shoppers say: {quotes}", "es": "los clientes dicen: {quotes}", "zh": "顾客评价：{quotes}"},
    "no_reviews_yet": {"en": "no reviews yet", "es": "todavía sin reseñas", "zh": "暂无评价"},
    "none_reviewed": {"en": "None of them has reviews yet.", "es": "Ninguno tiene reseñas todavía.", "zh": "目前都还没有评价。"},
    "same_price": {"en": "They cost the same: {price}.", "es": "Cuestan lo mismo: {price}.", "zh": "它们价格相同：{price}。"},
    "cheaper_one": {"en": "The cheaper one is {name} at {price}.", "es": "El más barato es {name}, por {price}.",
                    "zh": "更便宜的是{name}，{price}。"},
    "cheapest_of": {"en": "The cheapest is {name} at {price}.", "es": "El más barato es {name}, por {price}.",
                    "zh": "最便宜的是{name}，{price}。"},
    "dearer_one": {"en": "The more expensive one is {name} at {price}.", "es": "El más caro es {name}, por {price}.",
                   "zh": "更贵的是{name}，{price}。"},
    "dearest_of": {"en": "The most expensive is {name} at {price}.", "es": "El más caro es {name}, por {price}.",
                   "zh": "最贵的是{name}，{price}。"},
    # "is the third one cheaper than the first one?": yes or no, with both prices
    "price_yes": {"en": "Yes: the {a} is {pa}, the {b} is {pb}.", "es": "Sí: {a} cuesta {pa} y {b} cuesta {pb}.",
                  "zh": "是的：{a}售价{pa}，{b}售价{pb}。"},
    "price_no": {"en": "No: the {a} is {pa}, the {b} is {pb}.", "es": "No: {a} cuesta {pa} y {b} cuesta {pb}.",
                 "zh": "不是：{a}售价{pa}，{b}售价{pb}。"},
    "price_same_answer": {"en": "No, they cost the same: the {a} is {pa}, the {b} is {pb}.",
                          "es": "No, cuestan lo mismo: {a} cuesta {pa} y {b} cuesta {pb}.",
                          "zh": "不是，价格相同：{a}售价{pa}，{b}售价{pb}。"},
    "costs": {"en": "{name} costs {price}", "es": "{name} cuesta {price}", "zh": "{name}售价{price}"},
    "product_count": {"en": "We have {n} {what}, {m} of them in stock.", "es": "Tenemos {n} {what}; {m} disponibles ahora.",
                      "zh": "我们有{n}款{what}，其中{m}款有货。"},
    "product_count_none": {"en": "We have no {what}.", "es": "No tenemos {what}.", "zh": "我们没有{what}。"},
    "products_for": {"en": "products for {what}", "es": "productos para {what}", "zh": "适合{what}的商品"},
    "policy_in_english": {"en": "This is what the shop says:", "es": "Esto es lo que dice la tienda (lo tiene escrito en inglés):",
                                 "zh": "以下是商店的说明（原文为英文）："},
    "policy_answer": {"en": "{title}: {body}", "es": "{title}: {body}", "zh": "{title}：{body}"},
    "no_policy": {"en": "I have no store policy on that; please contact the shop for details.",
                  "es": "No tengo información de la tienda sobre eso; consulta con la tienda para más detalles.",
                  "zh": "我没有这方面的商店信息，请联系商店了解详情。"},
    "no_list_yet": {"en": "I have not shown you any products yet: tell me what you are looking for.",
                    "es": "Todavía no te he mostrado ningún producto: dime qué estás buscando.",
                    "zh": "我还没有给您推荐任何商品：请告诉我您在找什么。"},
    "price_in": {"en": "in {what}: {price}", "es": "en {what}: {price}", "zh": "{what}：{price}"},
    "only_left_capped": {"en": " (all {n} we have in stock)", "es": " (las {n} que quedan)", "zh": "（库存仅剩{n}件）"},
    "line_limit": {"en": " ({n} is the most one cart line takes)", "es": " ({n} es el máximo por línea del carrito)",
                   "zh": "（每种商品最多{n}件）"},
    "cart_quantity_limit": {"en": "{name}: quantity {n}, the most one cart line takes.", "es": "{name}: cantidad {n}, el máximo por línea.",
                            "zh": "{name}：数量 {n}（每种商品最多{n}件）。"},
    "cart_at_line_limit": {"en": "Your cart already holds {n} of {name}, the most one cart line takes.",
                           "es": "Tu carrito ya tiene {n} de {name}, el máximo por línea.", "zh": "购物车里已有{n}件{name}，已达每种商品的上限。"},
    "cart_has_all": {"en": "Your cart already holds all {n} of {name} we have in stock.",
                     "es": "Tu carrito ya tiene las {n} unidades de {name} que quedan.", "zh": "购物车里已有{name}的全部{n}件库存。"},
    "cart_quantity_capped": {"en": "{name}: quantity {n}, all we have in stock.", "es": "{name}: cantidad {n}, todo lo que queda.",
                             "zh": "{name}：数量 {n}（库存仅剩{n}件）。"},
    "in_stock_now": {"en": "it is in stock now", "es": "está disponible ahora", "zh": "目前有货"},
    # after "... and is out of stock right now": the stock is said once
    "no_restock_date": {"en": "I have no restock date; the shop can tell you more",
                        "es": "no tengo fecha de reposición; la tienda puede darte más detalles",
                        "zh": "我没有补货日期；可以联系店铺了解详情"},
    # "the second one in size M": that one's price in it, and that it is in stock
    "pick_in_stock": {"en": "in {what}: {price}, in stock", "es": "en {what}: {price}, disponible", "zh": "{what}：{price}，有货"},
    "one_size_only": {"en": "it comes in one size only", "es": "viene en talla única", "zh": "只有一个尺码"},
    "available_in": {"en": "yes, it comes in {what}, in stock", "es": "sí, viene en {what} y hay stock", "zh": "有{what}，有货"},
    "out_of_stock_in": {"en": "{what} is out of stock right now", "es": "{what} está agotado ahora mismo", "zh": "{what}目前缺货"},
    "stock_count": {"en": "{n} in stock", "es": "{n} unidades en stock", "zh": "库存{n}件"},
    "stock_count_in": {"en": "{n} in stock in {what}", "es": "{n} unidades en stock en {what}", "zh": "{what}库存{n}件"},
    "stock_uncounted": {"en": "in stock (the shop does not give a count)", "es": "disponible (la tienda no da la cantidad)",
                        "zh": "有货（商店未提供数量）"},
    "and_in_stock": {"en": " and is in stock", "es": " y está disponible", "zh": "，有货"},
    "and_out_of_stock": {"en": " and is out of stock right now", "es": " y ahora mismo está agotado", "zh": "，目前缺货"},
    "not_mentioned": {"en": 'the catalog does not mention "{what}"', "es": "el catálogo no menciona «{what}»",
                      "zh": "商品目录中没有提到“{what}”"},
    "description_says": {"en": 'the description says: "{sentence}"', "es": "la descripción dice: «{sentence}»",
                         "zh": "描述中写道：“{sentence}”"},
    "quote": {"en": '"{sentence}"', "es": "«{sentence}»", "zh": "“{sentence}”"},
    "brand_is": {"en": "brand: {brand}", "es": "marca: {brand}", "zh": "品牌：{brand}"},
    "attribute_values": {"en": "{label}: {values}", "es": "{label}: {values}", "zh": "{label}: {values}"},
    "sizes_list": {"en": "sizes: {values}", "es": "tallas: {values}", "zh": "尺码：{values}"},
    "colours_list": {"en": "colours: {values}", "es": "colores: {values}", "zh": "颜色：{values}"},
    "in_stock": {"en": "in stock", "es": "disponible", "zh": "有货"},
    "out_of_stock": {"en": "out of stock", "es": "agotado", "zh": "缺货"},
    "fact_sep": {"en": "; ", "es": "; ", "zh": "；"},
    "end": {"en": ".", "es": ".", "zh": "。"},
}


# the usual names of a catalog's attributes ("style" of "style_general") in Spanish, for the words around their
# values ("estilo: Jacket, Hooded"); a name not here, and any name in a Chinese reply, stays as the catalog writes it
ATTRIBUTE_LABELS_ES: dict[str, str] = {
    "style": "estilo", "material": "material", "activity": "actividad", "climate": "clima", "features": "características",
    "pattern": "estampado", "strap": "correa", "performance fabric": "tejido técnico", "eco collection": "colección ecológica",
    "gender": "para", "category": "categoría", "color": "color", "colour": "color", "size": "talla", "fit": "corte",
    "weight": "peso", "capacity": "capacidad", "sleeve": "manga", "closure": "cierre", "care": "cuidado", "origin": "origen",
}


def attribute_label(label: str, lang: str) -> str:
    """'style' -> 'estilo' in a Spanish reply; otherwise the attribute's name as the catalog writes it."""
    return ATTRIBUTE_LABELS_ES.get(label.lower(), label) if lang == "es" else label


def variant_bits(line: Mapping[str, object], lang: str = "en") -> list[str]:
    """A cart line's size and colour as the shopper reads them: ['size M', 'Red'] ([] when it has neither)."""
    return [say("size_value", lang, size=line["size"]) if k == "size" else str(line[k]) for k in ("size", "color") if line.get(k)]


def say(key: str, lang: str = "en", **values: object) -> str:
    """The sentence `key` in `lang` (English when that language lacks it), filled strictly: a missing value raises."""
    forms = MESSAGES[key]
    return forms.get(lang, forms["en"]).format(**values)


# ----- notes the searchers write (in English): their frames in the shopper's language ----------------------------
_NOTES: list[tuple[re.Pattern[str], dict[str, str]]] = [
    (re.compile(r"Nothing under (?P<a>\S+?)(?: matches)?; the cheapest(?: (?P<what>.+?))? is (?P<b>\S+?)\.$"),
     {"es": "Nada por menos de {a}; lo más barato cuesta {b}.", "zh": "没有{a}以下的商品；最便宜的是{b}。"}),
    (re.compile(r"Nothing over (?P<a>\S+?)(?: matches)?; the most expensive(?: (?P<what>.+?))? is (?P<b>\S+?)\.$"),
     {"es": "Nada por más de {a}; lo más caro cuesta {b}.", "zh": "没有{a}以上的商品；最贵的是{b}。"}),
    (re.compile(r"Nothing between (?P<a>\S+) and (?P<b>.+?); the nearest prices are (?P<c>.+)\.$"),
     {"es": "Nada entre {a} y {b}; los precios más cercanos son {c}.", "zh": "没有{a}到{b}之间的商品；最接近的价格是{c}。"}),
    (re.compile(r"Nothing matches between (?P<a>\S+) and (?P<b>\S+?)\.$"),
     {"es": "Nada entre {a} y {b}.", "zh": "没有{a}到{b}之间的商品。"}),
    (re.compile(r"None in (?P<a>.+?) in stock right now; here are the closest options in other colours or sizes\.$"),
     {"es": "No queda nada en {a}; aquí tienes otros colores y tallas.", "zh": "{a}的已售罄；这些是其他颜色和尺码。"}),
    (re.compile(r"None in (?P<a>.+?)(?: right now)?; here are (?:other colours and sizes|the closest options in other colours or sizes)\.$"),
     {"es": "No hay nada en {a}; aquí tienes otros colores y tallas.", "zh": "没有{a}的；这些是其他颜色和尺码。"}),
    (re.compile(r"None in (?P<a>.+?); here are other colours\.$"),
     {"es": "No hay nada en {a}; aquí tienes otros colores.", "zh": "没有{a}的；这些是其他颜色。"}),
    (re.compile(r"None in (?P<a>.+?); here are other sizes\.$"),
     {"es": "No hay nada en {a}; aquí tienes otras tallas.", "zh": "没有{a}的；这些是其他尺码。"}),
    (re.compile(r"Nothing that matches is on sale right now; here are the matches at their usual price\.$"),
     {"es": "Nada de lo que coincide está en oferta ahora; aquí está a su precio habitual.", "zh": "符合条件的商品目前都没有特价；以下为原价商品。"}),
    (re.compile(r"Everything that matches is out of stock at the moment\.$"),
     {"es": "Todo lo que coincide está agotado por ahora.", "zh": "符合条件的商品目前都缺货。"}),
    (re.compile(r"Everything that matches is (?P<a>.+), which you ruled out; here they are anyway\.$"),
     {"es": "Todo lo que coincide es {a}, que descartaste; aquí los tienes de todos modos.",
      "zh": "符合条件的都是{a}，您已排除；仍列出供参考。"}),
    (re.compile(r"Nothing from (?P<a>.+) matches; here are other brands\.$"),
     {"es": "Nada de {a} coincide; aquí tienes otras marcas.", "zh": "{a}没有符合的商品；这些是其他品牌。"}),
    (re.compile(r"Nothing for (?P<a>.+) matches; here are the nearest products\.$"),
     {"es": "Nada para {a} coincide; aquí tienes los productos más cercanos.", "zh": "没有适合{a}的商品；这些是最接近的商品。"}),
    (re.compile(r"(?:Nothing in (?P<a>.+) matches; here are products from other categories|"
                r"No (?P<b>.+) matches that; here are the nearest products in other categories)\.$"),
     {"es": "Nada en {a} coincide; aquí tienes productos de otras categorías.", "zh": "{a}中没有符合的；这些是其他类别的商品。"}),
]


def localize_note(note: str, lang: str) -> str:
    """A searcher's note in the shopper's language when its frame is known; the note as written otherwise."""
    if lang == "en" or not note:
        return note
    for pattern, forms in _NOTES:
        m = pattern.match(note.strip())
        if m and lang in forms:
            values = {k: v for k, v in m.groupdict().items() if v is not None}
            if "a" not in values and "b" in values:
                values["a"] = values["b"]
            return _of_what_was_asked(forms[lang].format(**values), note, values.get("a", ""))
    return note


_SIZE_VALUE = re.compile(r"(?:xxs|xs|s|m|l|xl|xxl|xxxl|[2-5]xl|\d{1,3}(?:\.5)?)", re.I)
_OTHER_VARIANTS = {"otros colores y tallas": ("otros colores", "otras tallas"), "其他颜色和尺码": ("其他颜色", "其他尺码")}


def _of_what_was_asked(said: str, note: str, values: str) -> str:
    """'None in Blue; … other colours or sizes' framed in Spanish or Chinese: other colours where only colours were
    asked, other sizes where only sizes were ("bolsos azules" offered "otros colores y tallas" of bags with no sizes)."""
    if not note.startswith("None in "):
        return said
    sized = [_SIZE_VALUE.fullmatch(w) is not None for w in values.split()]
    for both, (colours, sizes) in _OTHER_VARIANTS.items():
        if both in said and sized and (all(sized) or not any(sized)):
            return said.replace(both, sizes if all(sized) else colours)
    return said
