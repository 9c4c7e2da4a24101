// ereg: check a certificate's signed facts (the QR code's text after "#") in the browser.
// The fragment never reaches the server. Its check code (the signature's SHA-256, base32, 10
// characters) must be the one in the link, and its Ed25519 signature must verify against the
// key the service publishes (WebCrypto). Only textContent is written: nothing is parsed as HTML.
(function () {
  "use strict";

  function bytes(b64url) {
    var s = b64url.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    var bin = atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  function base32(data) {
    var alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", bits = 0, value = 0, out = "";
    for (var i = 0; i < data.length; i++) {
      value = (value << 8) | data[i];
      bits += 8;
      while (bits >= 5) { out += alphabet[(value >>> (bits - 5)) & 31]; bits -= 5; }
    }
    if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
    return out;
  }

  function json(part) { return JSON.parse(new TextDecoder().decode(bytes(part))); }

  var latest = 0;  // a check started later (another QR code read in) wins over this one

  async function check(box) {
    var token = decodeURIComponent(window.location.hash.slice(1)).trim();
    var run = ++latest;
    if (!token) return;
    box.hidden = false;
    var badge = document.getElementById("signature");
    function say(key, state) {
      if (run !== latest) return false;
      badge.textContent = box.dataset[key];
      badge.className = "badge s-" + state;
      return true;
    }
    var parts = token.split(".");
    if (parts.length !== 3) return say("bad", "invalid");
    var header, payload, signature;
    try { header = json(parts[0]); payload = json(parts[1]); signature = bytes(parts[2]); }
    catch (e) { return say("bad", "invalid"); }
    var digest = new Uint8Array(await crypto.subtle.digest("SHA-256", signature));
    if (base32(digest).slice(0, 10) !== box.dataset.check ||
        payload.certificate_no !== box.dataset.certificate) return say("mismatch", "invalid");
    if (header.alg !== "EdDSA" || header.typ !== "ereg-certificate+jws") return say("bad", "invalid");
    var keys = await (await fetch(box.dataset.keys, { credentials: "omit" })).json();
    var jwk = keys.keys.filter(function (k) { return k.kid === header.kid; })[0];
    if (!jwk) return say("bad", "invalid");
    var key;
    try {
      key = await crypto.subtle.importKey("jwk", { kty: "OKP", crv: "Ed25519", x: jwk.x },
                                          { name: "Ed25519" }, false, ["verify"]);
    } catch (e) { return say("unsupported", "pending"); }
    var signed = new TextEncoder().encode(parts[0] + "." + parts[1]);
    if (!(await crypto.subtle.verify({ name: "Ed25519" }, key, signature, signed))) return say("bad", "invalid");
    if (!say("good", "active")) return;
    var shown = {
      name: payload.name, certificate_no: payload.certificate_no, scope: payload.scope || "—",
      institution: (payload.institution || [])[1], commission: (payload.commission || [])[1],
      registered_on: payload.registered_on, issued_on: payload.issued_on, kid: header.kid
    };
    document.querySelectorAll("#signed [data-field]").forEach(function (dd) {
      dd.textContent = shown[dd.getAttribute("data-field")] || "—";
    });
    document.getElementById("signed").hidden = false;
  }

  function start() {
    var box = document.getElementById("offline");
    if (!box) return;
    document.getElementById("signed").hidden = true;
    check(box).catch(function () {
      var badge = document.getElementById("signature");
      badge.textContent = box.dataset.bad;
      badge.className = "badge s-invalid";
    });
  }

  // Switching the language reloads the page through the server, which never sees the part
  // after "#": keep the certificate's address and, in this tab only, its signed facts.
  var KEPT = "ereg-verify-fragment";
  function keepAcrossLanguageSwitch() {
    var lang = document.querySelector("form.lang");
    if (!lang) return;
    lang.addEventListener("submit", function () {
      lang.querySelector("input[name=next]").value = window.location.pathname + window.location.search;
      if (window.location.hash) window.sessionStorage.setItem(KEPT, window.location.hash);
    });
    var kept = window.sessionStorage.getItem(KEPT);
    window.sessionStorage.removeItem(KEPT);
    if (kept && !window.location.hash) {
      window.history.replaceState(null, "", window.location.pathname + window.location.search + kept);
    }
  }

  document.addEventListener("DOMContentLoaded", function () { keepAcrossLanguageSwitch(); start(); });
  window.addEventListener("hashchange", start);  // another QR code read into the same page
})();
