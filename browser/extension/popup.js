// Latchkey: the toolbar popup. It lists the accounts of the current tab's site (the background
// reads the site from the tab, as the browser reports it) and fills the one picked into the
// page's code field.
"use strict";

(async () => {
  const api = globalThis.browser ?? globalThis.chrome;
  const Messages = globalThis.LatchkeyMessages;
  const status = document.getElementById("status");
  const list = document.getElementById("accounts");
  const say = (text) => {
    status.textContent = text;
  };

  const [tab] = await api.tabs.query({ active: true, currentWindow: true });
  if (!tab) return say(Messages.explain({ error: { name: "NotAPage" } }));
  say("Asking Latchkey (unlock it if it asks)\u2026");
  const reply = await api.runtime.sendMessage({ type: "tab-accounts", tabId: tab.id });
  if (reply && reply.site) document.getElementById("site").textContent = reply.site;
  if (!reply || !reply.ok) return say(Messages.explain(reply));
  if (reply.accounts.length === 0) return say("Latchkey has no account for this site.");
  say("Fill the code of:");
  for (const account of reply.accounts) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.textContent = Messages.label(account);
    if (account.guessed) {
      const note = document.createElement("span");
      note.className = "guess";
      note.textContent = `Guessed from its issuer: Latchkey asks you to confirm ${account.site}`;
      button.appendChild(note);
    }
    button.addEventListener("click", async () => {
      list.replaceChildren();
      say("Waiting for Latchkey (answer its question)\u2026");
      const done = await api.runtime.sendMessage({
        type: "tab-fill",
        tabId: tab.id,
        account: account.id,
      });
      if (done && done.ok) window.close();
      else say(Messages.explain(done));
    });
    item.appendChild(button);
    list.appendChild(item);
  }
})();
