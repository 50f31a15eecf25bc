// Latchkey: which fields of a page take a one-time code, and how a code is put into them.
// Loaded before content.js in the page's top frame only (never in a frame of another origin).
"use strict";

globalThis.LatchkeyFields = (() => {
  // Names, ids, labels and placeholders that say "one-time code" in the wild. Kept short and
  // documented in docs/browser.md; a field marked autocomplete="one-time-code" needs none.
  const HINT = /(one[-_ ]?time|\botp\b|otp[-_]?code|totp|2fa|two[-_ ]?factor|mfa|verification[-_ ]?code|security[-_ ]?code|auth(entication|enticator)?[-_ ]?code|passcode|app[-_ ]?code|token[-_ ]?code|\bcode\b)/i;
  // Fields these words describe are something else, even with "code" in their name.
  const NOT = /(phone|mobile|zip|postal|post[-_ ]?code|captcha|coupon|promo|voucher|gift|discount|country|area[-_ ]?code|currency|search|e-?mail)/i;
  const TYPES = new Set(["text", "tel", "number", "password", ""]);

  function textOf(el) {
    const label = el.labels && el.labels.length ? el.labels[0].textContent : "";
    return [
      el.name, el.id, el.className, el.placeholder,
      el.getAttribute("aria-label"), el.getAttribute("data-testid"), label,
    ].filter(Boolean).join(" ");
  }

  // Whether an element is an input that takes a one-time code.
  function isCodeField(el) {
    if (!(el instanceof HTMLInputElement) || el.disabled || el.readOnly) return false;
    if (!TYPES.has((el.getAttribute("type") || "").toLowerCase())) return false;
    const autocomplete = (el.getAttribute("autocomplete") || "").toLowerCase();
    if (autocomplete.split(/\s+/).includes("one-time-code")) return true;
    const text = textOf(el);
    if (NOT.test(text)) return false;
    if (HINT.test(text)) return true;
    // A short numeric field alone in its form: "Enter the 6-digit code".
    const numeric = (el.getAttribute("inputmode") || "").toLowerCase() === "numeric";
    const length = el.maxLength;
    return numeric && length >= 6 && length <= 10;
  }

  function visible(el) {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== "hidden";
  }

  // The code fields of this document (never of any frame inside it), visible ones first.
  function find(doc) {
    const all = Array.from(doc.querySelectorAll("input")).filter(isCodeField);
    return all.filter(visible).concat(all.filter((el) => !visible(el)));
  }

  // Sets an input's value as typing would, so the page's scripts (React, Vue, …) see it.
  function setValue(input, value) {
    const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set;
    input.focus();
    setter.call(input, value);
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  // Fills `field` with `code`; a row of one-character boxes (one digit each) gets a digit in
  // each box. Returns whether anything was filled.
  function fill(field, code) {
    if (field.maxLength === 1) {
      const row = Array.from((field.form || field.parentElement.parentElement || document)
        .querySelectorAll("input"))
        .filter((el) => el.maxLength === 1 && !el.disabled && !el.readOnly);
      const start = row.indexOf(field);
      if (start >= 0 && row.length - start >= code.length) {
        Array.from(code).forEach((digit, i) => setValue(row[start + i], digit));
        return true;
      }
    }
    setValue(field, code);
    return field.value === code;
  }

  return { isCodeField, find, fill };
})();
