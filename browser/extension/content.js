// Latchkey: the page's side. Runs in the top frame only (manifest: all_frames false), so a
// field in a frame — of another origin or not — is never filled. When a one-time-code field
// gets focus it shows a small Latchkey button inside the field; a click on it (a real one:
// events a page script makes are not trusted and do nothing) asks Latchkey for this site's
// accounts and fills the code. The button and its panel live in a closed shadow root the page
// cannot read. Nothing is stored; a code lives in this script only until it is in the field.
"use strict";

(() => {
  const api = globalThis.browser ?? globalThis.chrome;
  const Fields = globalThis.LatchkeyFields;
  const Messages = globalThis.LatchkeyMessages;
  const SIZE = 22;

  let field = null; // the code field the button belongs to
  let lastField = null; // the code field focused last (for fills from the popup)
  let host = null; // the button's element in the page
  let parts = null; // its shadow root's elements
  let busy = false;

  function build() {
    host = document.createElement("latchkey-fill");
    const root = host.attachShadow({ mode: "closed" });
    root.innerHTML = `
      <style>
        :host { all: initial; position: absolute; z-index: 2147483647; }
        button.key { all: initial; box-sizing: border-box; width: ${SIZE}px; height: ${SIZE}px;
          border-radius: 4px; background: #1c71d8; color: #fff; cursor: pointer;
          font: bold 13px/22px sans-serif; text-align: center; }
        button.key:focus-visible { outline: 2px solid #99c1f1; }
        .panel { position: absolute; right: 0; top: ${SIZE + 4}px; min-width: 220px;
          max-width: 320px; background: #fff; color: #222; border: 1px solid #aaa;
          border-radius: 6px; box-shadow: 0 2px 8px rgba(0,0,0,.25); padding: 6px;
          font: 13px/1.4 sans-serif; }
        .panel[hidden] { display: none; }
        .panel button { all: initial; display: block; box-sizing: border-box; width: 100%;
          height: 28px; padding: 0 6px; border-radius: 4px; cursor: pointer;
          font: 13px/28px sans-serif; color: #222; white-space: nowrap; overflow: hidden;
          text-overflow: ellipsis; }
        .panel button:hover, .panel button:focus-visible { background: #e8f0fb; }
        .note { color: #555; font-size: 12px; padding: 2px 6px; }
      </style>
      <button class="key" title="Fill the one-time code from Latchkey" aria-label="Fill the one-time code from Latchkey">L</button>
      <div class="panel" role="dialog" aria-label="Latchkey" hidden>
        <div class="status" role="status"></div>
        <div class="choices"></div>
      </div>`;
    parts = {
      key: root.querySelector("button.key"),
      panel: root.querySelector(".panel"),
      status: root.querySelector(".status"),
      choices: root.querySelector(".choices"),
    };
    parts.key.addEventListener("click", (e) => {
      e.preventDefault();
      e.stopPropagation();
      if (e.isTrusted) offer();
    });
    // Keep the field's focus when the button is pressed.
    parts.key.addEventListener("mousedown", (e) => e.preventDefault());
  }

  function place() {
    if (!host || !field) return;
    const r = field.getBoundingClientRect();
    const top = window.scrollY + r.top + Math.max(0, (r.height - SIZE) / 2);
    const left = window.scrollX + r.right - SIZE - 4;
    host.style.setProperty("position", "absolute", "important");
    host.style.setProperty("top", `${top}px`, "important");
    host.style.setProperty("left", `${left}px`, "important");
  }

  function show(target) {
    if (!host) build();
    if (field !== target) reset();
    field = target;
    lastField = target;
    if (!host.isConnected) document.documentElement.appendChild(host);
    place();
  }

  function reset() {
    busy = false;
    if (!parts) return;
    parts.panel.hidden = true;
    parts.status.textContent = "";
    parts.choices.replaceChildren();
  }

  function hide() {
    reset();
    if (host) host.remove();
    field = null;
  }

  function say(text) {
    parts.panel.hidden = false;
    parts.status.textContent = text;
  }

  // The button was clicked: this site's accounts; one fills at once, several are offered.
  async function offer() {
    if (busy || !field) return;
    busy = true;
    parts.choices.replaceChildren();
    say("Asking Latchkey\u2026");
    const reply = await api.runtime.sendMessage({ type: "accounts" }).catch(() => null);
    busy = false;
    if (!reply || !reply.ok) return say(Messages.explain(reply));
    const accounts = reply.accounts;
    if (accounts.length === 0) return say("Latchkey has no account for this site.");
    if (accounts.length === 1) return fillWith(accounts[0]);
    say("Fill the code of:");
    for (const account of accounts) {
      const choice = document.createElement("button");
      choice.textContent = Messages.label(account);
      choice.title = account.guessed
        ? `Guessed from the issuer's name: Latchkey asks you to confirm ${account.site}`
        : account.site;
      choice.addEventListener("mousedown", (e) => e.preventDefault());
      choice.addEventListener("click", (e) => {
        e.preventDefault();
        e.stopPropagation();
        if (e.isTrusted) fillWith(account);
      });
      parts.choices.appendChild(choice);
    }
  }

  async function fillWith(account) {
    if (busy || !field) return;
    busy = true;
    parts.choices.replaceChildren();
    say("Waiting for Latchkey (answer its question, or unlock it)\u2026");
    const target = field;
    const reply = await api.runtime.sendMessage({ type: "code", account: account.id }).catch(() => null);
    busy = false;
    if (!reply || !reply.ok) return say(Messages.explain(reply));
    if (!target.isConnected || !Fields.fill(target, reply.code)) {
      return say(Messages.explain({ error: { name: "NoField" } }));
    }
    say(`Filled the code of ${Messages.label(account)}.`);
    setTimeout(() => {
      if (field === target) hide();
    }, 1500);
  }

  document.addEventListener(
    "focusin",
    (e) => {
      if (!e.isTrusted) return;
      if (Fields.isCodeField(e.target)) show(e.target);
      else if (host && e.target !== host) hide();
    },
    true,
  );
  window.addEventListener("scroll", place, { passive: true, capture: true });
  window.addEventListener("resize", place, { passive: true });

  // A fill the background asks for (the popup, the shortcut, the context menu): the code for
  // this origin goes into the focused or last focused code field, else the first one.
  api.runtime.onMessage.addListener((message, sender, reply) => {
    if (sender.id !== api.runtime.id || !message || message.type !== "fill") return false;
    if (message.origin !== location.origin) {
      reply({ filled: false });
      return false;
    }
    const focused = document.activeElement;
    const target = Fields.isCodeField(focused)
      ? focused
      : lastField && lastField.isConnected
        ? lastField
        : Fields.find(document)[0];
    reply({ filled: Boolean(target) && Fields.fill(target, String(message.code)) });
    return false;
  });
})();
