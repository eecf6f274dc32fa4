/*! shopassist chat widget. Paste into any page:
 *   <script src="https://YOUR-SERVER/widget.js" data-server="https://YOUR-SERVER" async></script>
 * Optional attributes: data-title="Ask our shop", data-user-id="signed-in shopper id",
 *   data-user-token="the shop server's signed token for that id" (required when the assistant runs with
 *   SHOPASSIST_USER_SECRET; only signed shoppers can ask about their orders), data-open="true".
 * Self-contained (no dependencies), styles isolated in a shadow root. Catalog text is only ever set with
 * textContent, so product names and descriptions can never inject markup.
 */
(function () {
  "use strict";
  var script = document.currentScript || (function () {
    var all = document.querySelectorAll("script[src*='widget.js']");
    return all[all.length - 1];
  })();
  if (!script || window.__shopassistWidget) return;
  window.__shopassistWidget = true;

  var server = (script.getAttribute("data-server") || new URL(script.src, location.href).origin).replace(/\/+$/, "");
  var title = script.getAttribute("data-title") || "Shopping assistant";
  var userId = script.getAttribute("data-user-id") || null;
  var userToken = script.getAttribute("data-user-token") || null;
  var storeKey = "shopassist.session:" + server;

  var CSS = [
    ":host { all: initial; }",
    ".saw-root { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; font: 14px/1.4 system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; color: #1f2937; }",
    ".saw-bubble { display: flex; align-items: center; justify-content: center; margin-left: auto; width: 58px; height: 58px; border-radius: 50%; border: none; background: #4f46e5; color: #fff; cursor: pointer; box-shadow: 0 6px 20px rgba(0,0,0,.25); }",
    ".saw-panel { display: none; flex-direction: column; width: 370px; max-width: calc(100vw - 40px); height: 560px; max-height: calc(100vh - 100px); background: #fff; border-radius: 14px; box-shadow: 0 12px 40px rgba(0,0,0,.28); overflow: hidden; margin-bottom: 12px; }",
    ".saw-open .saw-panel { display: flex; }",
    ".saw-head { background: #4f46e5; color: #fff; padding: 10px 14px; font-weight: 600; display: flex; justify-content: space-between; align-items: center; }",
    ".saw-close { background: none; border: none; color: #fff; font-size: 18px; cursor: pointer; }",
    ".saw-log { flex: 1; overflow-y: auto; padding: 10px; background: #f8fafc; }",
    ".saw-msg { margin: 6px 0; padding: 8px 10px; border-radius: 10px; white-space: pre-wrap; overflow-wrap: anywhere; max-width: 88%; }",
    ".saw-user { background: #e0e7ff; margin-left: auto; }",
    ".saw-bot { background: #fff; border: 1px solid #e5e7eb; }",
    ".saw-error { background: #fef2f2; border: 1px solid #fecaca; color: #991b1b; }",
    ".saw-cards { display: flex; gap: 8px; overflow-x: auto; padding: 4px 0 8px; }",
    ".saw-card { flex: 0 0 150px; background: #fff; border: 1px solid #e5e7eb; border-radius: 10px; padding: 6px; display: flex; flex-direction: column; gap: 3px; font-size: 12px; }",
    ".saw-card img, .saw-noimg { width: 100%; height: 100px; object-fit: contain; background: #f1f5f9; border-radius: 6px; }",
    ".saw-noimg { display: flex; align-items: center; justify-content: center; color: #94a3b8; }",
    ".saw-name { font-weight: 600; font-size: 13px; overflow-wrap: anywhere; }",
    ".saw-price { font-weight: 700; font-size: 14px; }",
    ".saw-was { color: #94a3b8; text-decoration: line-through; font-weight: 400; margin-left: 4px; }",
    ".saw-rating { color: #b45309; } .saw-in { color: #15803d; } .saw-low { color: #b45309; } .saw-out { color: #b91c1c; }",
    ".saw-why { color: #475569; }",
    ".saw-muted { color: #94a3b8; }",
    ".saw-actions { display: flex; gap: 4px; margin-top: auto; }",
    ".saw-picks { display: flex; gap: 4px; margin: 4px 0; }",
    ".saw-picks select { flex: 1; min-width: 0; font-size: 12px; border: 1px solid #c7d2fe; border-radius: 6px; padding: 2px; }",
    ".saw-actions button { flex: 1; border: 1px solid #c7d2fe; background: #eef2ff; border-radius: 6px; cursor: pointer; font-size: 12px; padding: 3px; }",
    ".saw-form { display: flex; border-top: 1px solid #e5e7eb; }",
    ".saw-input { flex: 1; border: none; padding: 12px; font: inherit; outline: none; }",
    ".saw-send { border: none; background: #4f46e5; color: #fff; padding: 0 16px; cursor: pointer; font: inherit; }",
    ".saw-send:disabled { background: #a5b4fc; }",
  ].join("\n");

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  var SYMBOLS = { USD: "$", EUR: "€", GBP: "£", JPY: "¥", CNY: "¥", INR: "₹" };
  function money(value, currency) {
    var c = (currency || "USD").toUpperCase();
    var amount = Number(value).toFixed(2);
    return SYMBOLS[c] ? SYMBOLS[c] + amount : amount + " " + c;
  }

  var host = el("div");
  host.id = "shopassist-widget";
  var shadow = host.attachShadow({ mode: "open" });
  var style = el("style");
  style.textContent = CSS;
  var root = el("div", "saw-root");
  var panel = el("div", "saw-panel");
  var head = el("div", "saw-head");
  head.appendChild(el("span", null, title));
  var close = el("button", "saw-close", "×");
  close.setAttribute("aria-label", "Close");
  head.appendChild(close);
  var log = el("div", "saw-log");
  log.setAttribute("aria-live", "polite");
  var form = el("form", "saw-form");
  var input = el("input", "saw-input");
  input.placeholder = "What are you looking for?";
  input.maxLength = 4000;
  input.setAttribute("aria-label", "Message");
  var send = el("button", "saw-send", "Send");
  send.type = "submit";
  form.appendChild(input);
  form.appendChild(send);
  panel.appendChild(head);
  panel.appendChild(log);
  panel.appendChild(form);
  var bubble = el("button", "saw-bubble");
  var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", "28");
  svg.setAttribute("height", "28");
  var path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("fill", "currentColor");
  path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01z");
  svg.appendChild(path);
  bubble.appendChild(svg);
  bubble.setAttribute("aria-label", "Open the shopping assistant");
  root.appendChild(panel);
  root.appendChild(bubble);
  shadow.appendChild(style);
  shadow.appendChild(root);

  function say(text, cls) {
    var m = el("div", "saw-msg " + cls, text);
    log.appendChild(m);
    log.scrollTop = log.scrollHeight;
    return m;
  }

  function post(path, body) {
    return fetch(server + path, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
    }).then(function (r) {
      return r.json().catch(function () { return { error: "the server sent an unreadable answer (" + r.status + ")" }; })
        .then(function (data) { return { status: r.status, data: data }; });
    });
  }

  // a like / add to cart that fails (401, 403, 429, no network...) says so in the chat, as a failed message does
  function feedback(event, productId, button, doneText, failText, extra) {
    var sid = localStorage.getItem(storeKey);
    if (!sid) {
      say(failText + ": this conversation has ended. Send a message to start a new one.", "saw-error");
      return;
    }
    button.disabled = true;
    var body = { event: event, product_id: productId, session_id: sid, user_id: userId, user_token: userToken };
    Object.keys(extra || {}).forEach(function (k) { body[k] = extra[k]; });
    post("/api/v1/feedback", body).then(function (res) {
      if (res.status === 200) { button.textContent = doneText; return; }
      button.disabled = false;
      say(failText + ": " + ((res.data && res.data.error) || "something went wrong (" + res.status + ")."), "saw-error");
    }).catch(function () {
      button.disabled = false;
      say(failText + ": cannot reach the shopping assistant right now.", "saw-error");
    });
  }

  function renderCard(p) {
    var c = el("div", "saw-card");
    c.setAttribute("data-product-id", String(p.id));
    if (p.image_url) {
      var img = el("img");
      img.src = server + "/api/v1/products/" + encodeURIComponent(p.id) + "/image";
      img.alt = p.name;
      img.loading = "lazy";
      c.appendChild(img);
    } else {
      c.appendChild(el("div", "saw-noimg", "no photo"));
    }
    c.appendChild(el("div", "saw-name", p.name));
    var price = el("div", "saw-price", money(p.price, p.currency));
    if (p.regular_price > p.price) price.appendChild(el("span", "saw-was", money(p.regular_price, p.currency)));
    c.appendChild(price);
    c.appendChild(p.rating_count ? el("div", "saw-rating", "★ " + Number(p.rating_avg).toFixed(1) + " (" + p.rating_count + ")") : el("div", "saw-muted", "no reviews yet"));
    var stock = !p.in_stock ? ["saw-out", "Out of stock"] : (p.stock_qty && p.stock_qty <= 5 ? ["saw-low", "Only " + p.stock_qty + " left"] : ["saw-in", "In stock"]);
    c.appendChild(el("div", stock[0], stock[1]));
    if (p.explanation) c.appendChild(el("div", "saw-why", "Why: " + p.explanation));
    var actions = el("div", "saw-actions");
    var like = el("button", "saw-like", "Like");
    like.title = "I like this";
    like.addEventListener("click", function () { feedback("like", p.id, like, "Liked ✓", "Could not save your like"); });
    // a product that comes in several sizes or colours is added in the one chosen here (the shop needs it to send it)
    var chosen = {}, open = [];
    var picks = el("div", "saw-picks");
    [["size", p.sizes, "Size"], ["color", p.colors, "Colour"]].forEach(function (spec) {
      var values = spec[1] || [];
      if (values.length < 2) return;
      var sel = el("select", "saw-pick-" + spec[0]);
      sel.setAttribute("aria-label", spec[2] + " of " + p.name);
      var none = el("option", null, spec[2] + "…");
      none.value = "";
      sel.appendChild(none);
      values.forEach(function (v) { var o = el("option", null, v); o.value = v; sel.appendChild(o); });
      sel.addEventListener("change", function () { if (sel.value) chosen[spec[0]] = sel.value; else delete chosen[spec[0]]; });
      open.push(spec);
      picks.appendChild(sel);
    });
    if (open.length) c.appendChild(picks);
    var add = el("button", "saw-add", "Add to cart");
    add.addEventListener("click", function () {
      var missing = open.filter(function (spec) { return !chosen[spec[0]]; }).map(function (spec) { return spec[2].toLowerCase(); });
      if (missing.length) { say("Choose a " + missing.join(" and a ") + " for " + p.name + " first.", "saw-error"); return; }
      feedback("add_to_cart", p.id, add, "Added ✓", "Could not add it to your cart", chosen);
    });
    actions.appendChild(like);
    actions.appendChild(add);
    c.appendChild(actions);
    return c;
  }

  function ask(message, retried) {
    var sid = localStorage.getItem(storeKey);
    var body = { message: message, user_id: userId, user_token: userToken };
    if (sid) body.session_id = sid;
    return post("/api/v1/chat", body).then(function (res) {
      // the server forgot this conversation (404), or it is a signed-in shopper's and this visitor is not (403,
      // e.g. after signing out on a shared computer): start a new one
      if ((res.status === 404 || res.status === 403) && sid && !retried) {
        localStorage.removeItem(storeKey);
        return ask(message, true);
      }
      return res;
    });
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var message = input.value.trim();
    if (!message) return;
    input.value = "";
    say(message, "saw-user");
    var pending = say("…", "saw-bot");
    send.disabled = true;
    ask(message, false).then(function (res) {
      if (res.status !== 200) {
        pending.className = "saw-msg saw-error";
        pending.textContent = (res.data && res.data.error) || "Something went wrong (" + res.status + ").";
        return;
      }
      localStorage.setItem(storeKey, res.data.session_id);
      pending.textContent = res.data.reply;
      if (res.data.products && res.data.products.length) {
        var row = el("div", "saw-cards");
        res.data.products.forEach(function (p) { row.appendChild(renderCard(p)); });
        log.appendChild(row);
      }
      log.scrollTop = log.scrollHeight;
    }).catch(function () {
      pending.className = "saw-msg saw-error";
      pending.textContent = "Cannot reach the shopping assistant right now.";
    }).then(function () { send.disabled = false; input.focus(); });
  });

  function toggle(open) {
    root.classList.toggle("saw-open", open);
    if (open) input.focus();
  }
  bubble.addEventListener("click", function () { toggle(!root.classList.contains("saw-open")); });
  close.addEventListener("click", function () { toggle(false); });

  function mount() {
    document.body.appendChild(host);
    say("Hi! Tell me what you are looking for.", "saw-bot");
    if (script.getAttribute("data-open") === "true") toggle(true);
  }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
