"""The sandbox's hosted card pages: what IOTPay shows the customer for a purchase or an add card.

``render_card_page`` returns one self-contained HTML5 document (inline CSS and JS, no
external fetch of any kind) that submits the way IOTPay's own pages and SDKs do: a JSON
``POST`` of ``{secureId, cardNum, cvv, expiryDate, holder}`` to ``/v3/cc_pfpurchase`` or
``/v3/cc_pfaddcard`` on the same origin; when the answer's ``retData.redirectUrl`` is an
http(s) URL the page goes there with ``window.location.replace``. A ``FAIL`` envelope
without a redirect shows ``retMsg`` and keeps what was typed except the CVV.

The page checks the card number (Luhn), the expiry (MMYY, not past) and the CVV before
sending; the server checks again. Card fields carry no ``name`` attribute and the
Content-Security-Policy forbids native form submission, so card data can never end up
in a URL even if the script fails.

Every dynamic value is HTML-escaped. Plain Python: no Qt here.
"""

from __future__ import annotations

import html
import secrets
from typing import Final, Literal

__all__ = [
    "ENDPOINTS",
    "TEST_CARDS",
    "format_amount",
    "render_card_page",
    "render_error_page",
]

#: The hosted page kind -> the endpoint its form posts to (same origin).
ENDPOINTS: Final[dict[str, str]] = {
    "purchase": "/v3/cc_pfpurchase",
    "addcard": "/v3/cc_pfaddcard",
}

#: The sandbox's documented test cards, as shown in the page's small print.
TEST_CARDS: Final[tuple[tuple[str, str], ...]] = (
    ("4242 4242 4242 4242", "Visa \u2014 approved"),
    ("5555 5555 5555 4444", "Mastercard \u2014 approved"),
    ("4000 0000 0000 0002", "declined (status 9)"),
    ("4000 0000 0000 0077", "pending \u2014 status 0 first, 2 after 5 sandbox seconds"),
)

HOLDER_MAX: Final = 64


def format_amount(amount_cents: int, currency: str) -> str:
    """``1234`` -> ``$12.34 CAD``; thousands separated by commas (``$1,234.56 CAD``)."""
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int):
        raise TypeError("amount_cents must be an int")
    if amount_cents < 0:
        raise ValueError("amount_cents must not be negative")
    dollars, cents = divmod(amount_cents, 100)
    return f"${dollars:,}.{cents:02d} {currency}"


def _e(value: object) -> str:
    """HTML-escape for text and double- or single-quoted attributes."""
    return html.escape(str(value), quote=True)


def _countdown(seconds: int) -> str:
    minutes, secs = divmod(max(0, seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def _csp(nonce: str) -> str:
    return (
        "default-src 'none'; "
        f"script-src 'nonce-{nonce}'; "
        f"style-src 'nonce-{nonce}'; "
        "connect-src 'self'; "
        "img-src data:; "
        "form-action 'none'; "
        "base-uri 'none'"
    )


def _head(title: str, nonce: str) -> str:
    return f"""<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{_e(_csp(nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<meta name="color-scheme" content="light">
<link rel="icon" href="data:,">
<title>{_e(title)}</title>
<style nonce="{_e(nonce)}">{_CSS}</style>
</head>"""


_SANDBOX_BANNER = (
    '<p class="banner">IOTPay sandbox &middot; test mode &middot; no real money moves</p>'
)


def render_card_page(
    kind: Literal["purchase", "addcard"],
    *,
    secure_id: str,
    merchant_name: str,
    amount_cents: int | None,
    currency: str,
    expires_in_s: int,
) -> str:
    """The hosted purchase or add-card page for one ``secureId``.

    ``amount_cents`` is required for a purchase and ignored for an add card.
    ``expires_in_s`` is the wall-clock time left before the secureId expires; the page
    counts it down and locks itself at zero.
    """
    if kind not in ENDPOINTS:
        raise ValueError(f"kind must be 'purchase' or 'addcard', not {kind!r}")
    if kind == "purchase":
        if amount_cents is None:
            raise ValueError("a purchase page needs amount_cents")
        amount = format_amount(amount_cents, currency)
    else:
        amount = ""
    expires = max(0, int(expires_in_s))
    nonce = secrets.token_urlsafe(18)
    merchant = _e(merchant_name)

    if kind == "purchase":
        title = f"Pay {merchant_name} \u2014 {amount}"
        intro = f"""<p class="eyebrow">Secure payment to</p>
<h1 id="merchant" class="merchant">{merchant}</h1>
<p class="amount-line"><span class="amount-label">Amount</span>
<span id="amount" class="amount">{_e(amount)}</span></p>"""
        button = f"Pay {_e(amount)}"
        busy_text = "Processing payment\u2026"
    else:
        title = f"Save a card \u2014 {merchant_name}"
        intro = f"""<p class="eyebrow">Save a card with</p>
<h1 id="merchant" class="merchant">{merchant}</h1>
<p class="lede">Your card is kept by IOTPay for future payments to this merchant.
You are not charged now.</p>"""
        button = "Save card"
        busy_text = "Saving card\u2026"

    cards = "\n".join(
        f"<li><code>{_e(number)}</code> {_e(what)}</li>" for number, what in TEST_CARDS
    )
    body = f"""<body>
{_SANDBOX_BANNER}
<main class="sheet" aria-labelledby="merchant">
<header class="intro">
{intro}
</header>
<div id="form-alert" class="alert" role="alert" aria-live="assertive" hidden></div>
<form id="card-form" class="card-form" novalidate autocomplete="on"
 data-kind="{_e(kind)}" data-secure-id="{_e(secure_id)}" data-endpoint="{_e(ENDPOINTS[kind])}"
 data-expires-in="{expires}" data-busy-text="{_e(busy_text)}">
<div class="field">
<label for="card-number">Card number</label>
<div class="with-brand">
<input id="card-number" type="text" inputmode="numeric" autocomplete="cc-number"
 autocorrect="off" autocapitalize="off" spellcheck="false"
 placeholder="1234 5678 9012 3456" aria-describedby="card-number-error" required>
<span id="card-brand" class="brand" aria-live="polite"></span>
</div>
<p id="card-number-error" class="error" aria-live="polite"></p>
</div>
<div class="row">
<div class="field">
<label for="card-expiry">Expiry (MM/YY)</label>
<input id="card-expiry" type="text" inputmode="numeric" autocomplete="cc-exp"
 autocorrect="off" autocapitalize="off" spellcheck="false" placeholder="MM/YY"
 aria-describedby="card-expiry-error" required>
<p id="card-expiry-error" class="error" aria-live="polite"></p>
</div>
<div class="field">
<label for="card-cvv">Security code</label>
<input id="card-cvv" type="password" inputmode="numeric" autocomplete="cc-csc"
 autocorrect="off" autocapitalize="off" spellcheck="false" maxlength="4" placeholder="123"
 aria-describedby="card-cvv-error" required>
<p id="card-cvv-error" class="error" aria-live="polite"></p>
</div>
</div>
<div class="field">
<label for="card-holder">Name on card</label>
<input id="card-holder" type="text" autocomplete="cc-name" autocapitalize="words"
 spellcheck="false" maxlength="{HOLDER_MAX}" aria-describedby="card-holder-error" required>
<p id="card-holder-error" class="error" aria-live="polite"></p>
</div>
<button id="submit" type="submit" class="submit">{button}</button>
<p id="status" class="status" role="status" aria-live="polite"></p>
</form>
<p id="expiry-notice" class="expiry-notice">For your security this page expires in
<span id="countdown" role="timer" aria-live="off">{_e(_countdown(expires))}</span>.</p>
<noscript><p class="alert">This page needs JavaScript to send your card securely.</p></noscript>
<section class="testcards" aria-labelledby="testcards-title">
<h2 id="testcards-title">Sandbox test cards</h2>
<ul>
{cards}
<li>Any past expiry date \u2014 refused, &ldquo;card expired&rdquo;</li>
</ul>
<p>Any future expiry, any 3-digit CVV and any name will do.</p>
</section>
</main>
<script nonce="{_e(nonce)}">{_JS}</script>
</body>"""
    return f'<!DOCTYPE html>\n<html lang="en">\n{_head(title, nonce)}\n{body}\n</html>\n'


def render_error_page(title: str, message: str) -> str:
    """A plain page for an unknown, used or expired secureId (or any other dead end)."""
    nonce = secrets.token_urlsafe(18)
    body = f"""<body>
{_SANDBOX_BANNER}
<main class="sheet" aria-labelledby="error-title">
<h1 id="error-title" class="error-title">{_e(title)}</h1>
<p id="error-message" class="lede">{_e(message)}</p>
<p id="error-hint" class="hint">You can close this page and go back to the merchant.</p>
</main>
</body>"""
    return f'<!DOCTYPE html>\n<html lang="en">\n{_head(title, nonce)}\n{body}\n</html>\n'


_CSS = """
*,*::before,*::after{box-sizing:border-box}
html{font-size:100%;-webkit-text-size-adjust:100%}
body{margin:0;min-height:100vh;background:#eef1f5;color:#1b1f24;
 font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
 line-height:1.45}
.banner{margin:0;padding:.35rem 1rem;background:#fff4ce;color:#5c4400;font-size:.8rem;
 text-align:center;border-bottom:1px solid #f0dc9a}
.sheet{max-width:30rem;margin:1.5rem auto;padding:1.5rem 1.5rem 1rem;background:#fff;
 border:1px solid #d9dee5;border-radius:.75rem;box-shadow:0 1px 3px rgba(20,30,50,.08)}
.intro{margin-bottom:1.25rem}
.eyebrow{margin:0;color:#57606a;font-size:.85rem;text-transform:uppercase;letter-spacing:.04em}
.merchant,.error-title{margin:.15rem 0 .5rem;font-size:1.4rem;line-height:1.25;
 overflow-wrap:anywhere;word-break:break-word}
.amount-line{margin:0;display:flex;align-items:baseline;justify-content:space-between;gap:.75rem;
 flex-wrap:wrap;padding:.6rem .8rem;background:#f5f7fa;border-radius:.5rem}
.amount-label{color:#57606a}
.amount{font-size:1.5rem;font-weight:650;font-variant-numeric:tabular-nums}
.lede{margin:0;color:#3a424c;overflow-wrap:anywhere}
.hint{color:#57606a;font-size:.9rem}
.card-form{display:flex;flex-direction:column;gap:.25rem}
.row{display:flex;gap:1rem;flex-wrap:wrap}
.row>.field{flex:1 1 9rem;min-width:0;justify-content:flex-end}
.field{display:flex;flex-direction:column;min-width:0}
label{font-weight:600;font-size:.92rem;margin-bottom:.3rem}
input{width:100%;font:inherit;font-size:1.05rem;padding:.6rem .7rem;color:inherit;background:#fff;
 border:1px solid #aab3bf;border-radius:.45rem;font-variant-numeric:tabular-nums}
input:focus{outline:3px solid #8cb8ff;outline-offset:0;border-color:#2f6fde}
input[aria-invalid="true"]{border-color:#b3261e}
input:disabled{background:#f0f2f5;color:#6a737d}
.with-brand{position:relative}
.with-brand input{padding-right:6.5rem}
.brand{position:absolute;right:.7rem;top:50%;transform:translateY(-50%);color:#57606a;
 font-size:.85rem;font-weight:600;pointer-events:none}
.error{min-height:1.35em;margin:.2rem 0 .35rem;color:#b3261e;font-size:.86rem}
.alert{margin:0 0 1rem;padding:.7rem .85rem;border:1px solid #e3a29d;border-radius:.5rem;
 background:#fdecea;color:#7d1a14;overflow-wrap:anywhere}
.alert[hidden]{display:none}
.submit{margin-top:.5rem;width:100%;font:inherit;font-size:1.05rem;font-weight:650;
 padding:.75rem 1rem;color:#fff;background:#1f5fd1;border:0;border-radius:.5rem;cursor:pointer}
.submit:hover{background:#184fb0}
.submit:focus-visible{outline:3px solid #8cb8ff;outline-offset:2px}
.submit:disabled{background:#8a99b3;cursor:not-allowed}
.status{min-height:1.35em;margin:.5rem 0 0;color:#3a424c;font-size:.9rem;text-align:center}
.expiry-notice{margin:.75rem 0 0;color:#57606a;font-size:.85rem;text-align:center}
.expiry-notice.soon{color:#8a4b00;font-weight:600}
.testcards{margin-top:1.25rem;padding-top:.75rem;border-top:1px solid #e4e8ee;color:#57606a;
 font-size:.78rem}
.testcards h2{margin:0 0 .25rem;font-size:.8rem;text-transform:uppercase;letter-spacing:.04em}
.testcards ul{margin:0;padding-left:1.1rem}
.testcards p{margin:.3rem 0 0}
code{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace;font-size:.95em;
 white-space:nowrap}
@media (max-width:26rem){
 .sheet{margin:0;border-radius:0;border-left:0;border-right:0;padding:1.1rem 1rem .75rem}
 .amount{font-size:1.3rem}
}
"""

_JS = r"""
(function () {
  "use strict";
  var form = document.getElementById("card-form");
  var cfg = form.dataset;
  var number = document.getElementById("card-number");
  var expiry = document.getElementById("card-expiry");
  var cvv = document.getElementById("card-cvv");
  var holder = document.getElementById("card-holder");
  var brandEl = document.getElementById("card-brand");
  var submit = document.getElementById("submit");
  var alertBox = document.getElementById("form-alert");
  var statusEl = document.getElementById("status");
  var countdown = document.getElementById("countdown");
  var notice = document.getElementById("expiry-notice");
  var submitLabel = submit.textContent;
  var HOLDER_MAX = parseInt(holder.getAttribute("maxlength"), 10);
  var busy = false;
  var expired = false;  // the session ran out: wait for nothing more
  var locked = false;   // the form is disabled for good
  var EXPIRED_MESSAGE = "This page has expired. Go back to the merchant to start again.";

  function digitsOf(s) { return s.replace(/\D+/g, ""); }

  function luhn(d) {
    var sum = 0;
    for (var i = 0; i < d.length; i++) {
      var n = d.charCodeAt(d.length - 1 - i) - 48;
      if (i % 2 === 1) { n *= 2; if (n > 9) { n -= 9; } }
      sum += n;
    }
    return sum % 10 === 0;
  }

  function brandOf(d) {
    if (/^4/.test(d)) { return "Visa"; }
    var p4 = parseInt(d.slice(0, 4), 10);
    if (/^5[1-5]/.test(d) || (d.length >= 4 && p4 >= 2221 && p4 <= 2720)) { return "Mastercard"; }
    if (/^3[47]/.test(d)) { return "Amex"; }
    return "";
  }

  // Put the caret after the same number of digits it followed before reformatting.
  function placeCaret(el, digitsBefore) {
    if (document.activeElement !== el) { return; }
    var v = el.value, pos = 0, seen = 0;
    while (pos < v.length && seen < digitsBefore) {
      if (v.charCodeAt(pos) >= 48 && v.charCodeAt(pos) <= 57) { seen++; }
      pos++;
    }
    if (seen === digitsBefore && v.charAt(pos) === "/" && pos === v.length - 1) { pos++; }
    el.setSelectionRange(pos, pos);
  }

  function digitsBeforeCaret(el) {
    var at = el.selectionStart === null ? el.value.length : el.selectionStart;
    return digitsOf(el.value.slice(0, at)).length;
  }

  function formatNumber() {
    var before = digitsBeforeCaret(number);
    var d = digitsOf(number.value).slice(0, 19);
    number.value = d.replace(/(\d{4})(?=\d)/g, "$1 ");
    placeCaret(number, Math.min(before, d.length));
    brandEl.textContent = brandOf(d);
  }

  function formatExpiry(ev) {
    var deleting = !!(ev && ev.inputType && ev.inputType.indexOf("delete") === 0);
    var raw = expiry.value;
    var before = digitsBeforeCaret(expiry);
    var d = digitsOf(raw).slice(0, 4);
    if (!deleting && d.length === 1 && (d > "1" || /^\d\s*\//.test(raw))) {
      d = "0" + d;  // "4" -> "04/", "1/" -> "01/"
      before += 1;
    }
    var out = d;
    if (d.length > 2) { out = d.slice(0, 2) + "/" + d.slice(2); }
    else if (d.length === 2 && (!deleting || raw.indexOf("/") >= 0)) { out = d + "/"; }
    expiry.value = out;
    placeCaret(expiry, Math.min(before, d.length));
  }

  function onlyDigits(el, max) {
    var d = digitsOf(el.value).slice(0, max);
    if (d !== el.value) { el.value = d; }
  }

  function expiryMmyy() {
    var d = digitsOf(expiry.value);
    return d.length === 4 ? d : "";
  }

  var checks = {
    "card-number": function () {
      var d = digitsOf(number.value);
      if (!d) { return "Enter the card number."; }
      if (d.length < 12 || d.length > 19) { return "A card number has 12 to 19 digits."; }
      if (!luhn(d)) { return "This card number is not valid. Check it and try again."; }
      return "";
    },
    "card-expiry": function () {
      var d = digitsOf(expiry.value);
      if (!d) { return "Enter the expiry date as MM/YY."; }
      var month = parseInt(d.slice(0, 2), 10);
      if (d.length !== 4 || month < 1 || month > 12) { return "Enter the expiry date as MM/YY."; }
      var year = 2000 + parseInt(d.slice(2), 10);
      var now = new Date();
      var thisYear = now.getFullYear(), thisMonth = now.getMonth() + 1;
      if (year < thisYear || (year === thisYear && month < thisMonth)) {
        return "This card has expired.";
      }
      if (year > thisYear + 25) { return "Check the expiry date."; }
      return "";
    },
    "card-cvv": function () {
      var d = cvv.value;
      if (!d) { return "Enter the security code."; }
      if (!/^\d{3,4}$/.test(d)) { return "The security code has 3 or 4 digits."; }
      return "";
    },
    "card-holder": function () {
      var v = holder.value.trim();
      if (!v) { return "Enter the name on the card."; }
      if (v.length > HOLDER_MAX) { return "The name is too long."; }
      return "";
    }
  };

  function show(el, message) {
    var out = document.getElementById(el.id + "-error");
    if (out.textContent !== message) { out.textContent = message; }
    if (message) { el.setAttribute("aria-invalid", "true"); }
    else { el.removeAttribute("aria-invalid"); }
  }

  function check(el) {
    var message = checks[el.id]();
    show(el, message);
    return !message;
  }

  function showAlert(message) {
    alertBox.textContent = message;
    alertBox.hidden = !message;
  }

  [number, expiry, cvv, holder].forEach(function (el) {
    el.addEventListener("input", function (ev) {
      if (el === number) { formatNumber(); }
      else if (el === expiry) { formatExpiry(ev); }
      else if (el === cvv) { onlyDigits(cvv, 4); }
      // Once a field shows a message, keep it current while the person corrects it.
      if (el.getAttribute("aria-invalid") === "true") { check(el); }
    });
    el.addEventListener("blur", function () {
      if (el.value && !busy && !locked) { check(el); }
    });
  });

  function setBusy(on) {
    busy = on;
    submit.disabled = on || locked;
    form.setAttribute("aria-busy", on ? "true" : "false");
    submit.textContent = on ? cfg.busyText : submitLabel;
    statusEl.textContent = on ? cfg.busyText : "";
  }

  // The page can no longer succeed (expired, or the server refused its secureId).
  function lock(message) {
    locked = true;
    [number, expiry, cvv, holder].forEach(function (el) { el.disabled = true; });
    number.value = "";
    cvv.value = "";
    brandEl.textContent = "";
    submit.disabled = true;
    if (!expired) { notice.hidden = true; }
    showAlert(message);
  }

  var FIELD_OF = { cardNum: number, expiryDate: expiry, cvv: cvv, holder: holder };

  // The server names the field at fault ("expiryDate: card expired"): show it there too.
  function showServerMessage(message) {
    var m = /^(\w+):\s*(\S.*)$/.exec(message);
    if (m && m[1] === "secureId") { lock(message); return; }
    if (m && Object.prototype.hasOwnProperty.call(FIELD_OF, m[1])) {
      var text = m[2].charAt(0).toUpperCase() + m[2].slice(1);
      show(FIELD_OF[m[1]], /[.!?]$/.test(text) ? text : text + ".");
    }
    showAlert(message);
  }

  function safeRedirect(env) {
    var data = env && typeof env === "object" ? env.retData : null;
    var url = data && typeof data === "object" ? data.redirectUrl : null;
    return typeof url === "string" && /^https?:\/\//i.test(url) ? url : "";
  }

  function send() {
    setBusy(true);
    showAlert("");
    var payload = JSON.stringify({
      secureId: cfg.secureId,
      cardNum: digitsOf(number.value),
      cvv: cvv.value,
      expiryDate: expiryMmyy(),
      holder: holder.value.trim()
    });
    fetch(cfg.endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/json;charset=UTF-8" },
      body: payload,
      credentials: "same-origin",
      cache: "no-store",
      redirect: "error"
    }).then(function (resp) {
      if (!resp.ok) { return null; }
      return resp.json().catch(function () { return null; });
    }, function () {
      return null;
    }).then(function (env) {
      var url = safeRedirect(env);
      if (url) {
        statusEl.textContent = "Done. Returning to the merchant\u2026";
        window.location.replace(url);
        return;  // stay busy: no second submission while the page leaves
      }
      cvv.value = "";
      setBusy(false);
      if (expired) {
        lock(EXPIRED_MESSAGE);
      } else if (env && env.retCode === "FAIL" && typeof env.retMsg === "string" && env.retMsg) {
        showServerMessage(env.retMsg);
      } else if (env) {
        showAlert("The card could not be processed. Please try again.");
      } else {
        showAlert("No answer from the payment server. Please try again.");
      }
    });
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (busy || locked) { return; }
    var firstBad = null;
    [number, expiry, cvv, holder].forEach(function (el) {
      if (!check(el) && !firstBad) { firstBad = el; }
    });
    if (firstBad) { firstBad.focus(); return; }
    send();
  });

  function clock(seconds) {
    var h = Math.floor(seconds / 3600), m = Math.floor(seconds / 60) % 60, s = seconds % 60;
    var mm = h ? (m < 10 ? "0" : "") + m : String(m);
    return (h ? h + ":" : "") + mm + ":" + (s < 10 ? "0" : "") + s;
  }

  var deadline = Date.now() + 1000 * (parseInt(cfg.expiresIn, 10) || 0);
  function tick() {
    if (locked) { return; }
    var left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    countdown.textContent = clock(left);
    if (left <= 120) { notice.classList.add("soon"); }
    if (left <= 0) {
      expired = true;
      notice.textContent = "This page has expired.";
      if (!busy) { lock(EXPIRED_MESSAGE); }
      return;
    }
    var wait = deadline - Date.now() - (left - 1) * 1000;
    window.setTimeout(tick, Math.min(1000, Math.max(50, wait)));
  }
  tick();
})();
"""
