// Latchkey: the extension's background. It alone talks to the native-messaging host, and it
// alone decides which page a request is for: the page's origin comes from the browser (the
// sender of a content script's message, or the tab the popup was opened on), never from what
// a page or a message says. Codes are passed on and never stored.
"use strict";

const api = globalThis.browser ?? globalThis.chrome;
const HOST = "org.latchkey.browser";

// One port to the host while the background lives; requests carry ids, replies repeat them.
let port = null;
let nextId = 1;
const waiting = new Map();

function connect() {
  port = api.runtime.connectNative(HOST);
  port.onMessage.addListener((reply) => {
    const resolve = waiting.get(reply && reply.id);
    if (resolve) {
      waiting.delete(reply.id);
      resolve(reply);
    }
  });
  port.onDisconnect.addListener((p) => {
    const cause = (p && p.error) || api.runtime.lastError;
    const message = (cause && cause.message) || "the host ended";
    port = null;
    for (const [id, resolve] of waiting) {
      resolve({ id, ok: false, error: { name: "HostUnavailable", message } });
    }
    waiting.clear();
  });
}

// Sends a request to the host; resolves with its reply (failures are replies too).
function ask(request) {
  const id = nextId++;
  return new Promise((resolve) => {
    waiting.set(id, resolve);
    try {
      if (!port) connect();
      port.postMessage({ id, ...request });
    } catch (e) {
      waiting.delete(id);
      resolve({ id, ok: false, error: { name: "HostUnavailable", message: String(e) } });
    }
  });
}

const notAPage = { ok: false, error: { name: "NotAPage", message: "not a web page" } };

// The origin of a page URL the browser reported, or null.
function originOf(url) {
  try {
    const u = new URL(url);
    return u.protocol === "https:" || u.protocol === "http:" ? u.origin : null;
  } catch {
    return null;
  }
}

// A content script's page: a tab's top frame only (the content script runs nowhere else).
function senderOrigin(sender) {
  if (!sender.tab || sender.frameId !== 0) return null;
  return originOf(sender.url);
}

// Whether a message comes from one of this extension's own pages (the popup).
function fromOwnPage(sender) {
  return !sender.tab && typeof sender.url === "string" && sender.url.startsWith(api.runtime.getURL(""));
}

// Gets the code of `account` for the page in `tab` and has the top frame fill it, if the page
// is still at the origin the code was given for.
async function fillTab(tab, account) {
  const origin = originOf(tab.url);
  if (!origin) return notAPage;
  const reply = await ask({ type: "code", origin, account });
  if (!reply.ok) return reply;
  const filled = await api.tabs
    .sendMessage(tab.id, { type: "fill", origin, code: reply.code }, { frameId: 0 })
    .catch(() => null);
  if (filled && filled.filled) return { ok: true };
  return { ok: false, error: { name: "NoField", message: "no code field" } };
}

// The toolbar popup, the shortcut and the context menu: the one account fills at once; with
// several (or none) the popup shows the choice (or says why).
async function fillActive(tab) {
  const origin = originOf(tab && tab.url);
  if (origin) {
    const reply = await ask({ type: "accounts", origin });
    if (reply.ok && reply.accounts.length === 1) {
      const done = await fillTab(tab, reply.accounts[0].id);
      if (done.ok) return;
    }
  }
  if (api.action.openPopup) await api.action.openPopup().catch(() => {});
}

async function handle(message, sender) {
  switch (message && message.type) {
    case "accounts": {
      const origin = senderOrigin(sender);
      return origin ? ask({ type: "accounts", origin }) : notAPage;
    }
    case "code": {
      const origin = senderOrigin(sender);
      if (!origin) return notAPage;
      return ask({ type: "code", origin, account: String(message.account) });
    }
    case "tab-accounts": {
      if (!fromOwnPage(sender)) return notAPage;
      const tab = await api.tabs.get(message.tabId);
      const origin = originOf(tab.url);
      if (!origin) return notAPage;
      const reply = await ask({ type: "accounts", origin });
      return { ...reply, site: new URL(origin).host };
    }
    case "tab-fill": {
      if (!fromOwnPage(sender)) return notAPage;
      return fillTab(await api.tabs.get(message.tabId), String(message.account));
    }
    default:
      return { ok: false, error: { name: "Unknown", message: "unknown message" } };
  }
}

api.runtime.onMessage.addListener((message, sender, reply) => {
  if (sender.id !== api.runtime.id) return false;
  handle(message, sender).then(reply, (e) =>
    reply({ ok: false, error: { name: "Failed", message: String(e) } }),
  );
  return true;
});

api.commands.onCommand.addListener(async (command, tab) => {
  if (command !== "fill-code") return;
  const active = tab || (await api.tabs.query({ active: true, currentWindow: true }))[0];
  await fillActive(active);
});

api.runtime.onInstalled.addListener(() => {
  api.contextMenus.create({
    id: "fill-code",
    title: "Fill one-time code from Latchkey",
    contexts: ["editable"],
  });
});

api.contextMenus.onClicked.addListener((info, tab) => {
  // A field in a frame is no field of the page: never filled.
  if (info.menuItemId !== "fill-code" || info.frameId !== 0) return;
  fillActive(tab);
});
