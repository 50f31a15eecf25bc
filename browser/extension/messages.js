// Latchkey: what to tell the user when a fill did not happen, by the error's name. The page
// never sees these (they are shown in the popup, or in the in-field panel's closed shadow root).
"use strict";

globalThis.LatchkeyMessages = (() => {
  const TEXT = {
    Locked: "Latchkey is locked. Unlock it, then try again.",
    AccessDenied: "Latchkey did not allow this site to get the code.",
    NotFound: "That account does not belong to this site.",
    InvalidArgument: "Latchkey fills codes only into https pages (and pages of this computer).",
    NotInitialized: "Latchkey has no vault yet. Open Latchkey to set it up.",
    DaemonUnreachable: "Latchkey is not running. Start it, then try again.",
    HostUnavailable:
      "This browser cannot reach Latchkey. Run \u201clatchkey browser install\u201d, then restart the browser.",
    UnknownExtension: "Latchkey's browser host does not serve this copy of the extension.",
    TooManyRequests: "Latchkey is busy with other requests. Try again.",
    NoField: "No one-time code field was found on this page.",
    NotAPage: "Latchkey fills codes only into web pages.",
  };

  // The sentence for a failed reply ({ok: false, error: {name, message}}).
  function explain(reply) {
    const name = reply && reply.error ? reply.error.name : "";
    return TEXT[name] || "Latchkey could not fill the code.";
  }

  // How an account is named: "Issuer (account)", or whichever it has.
  function label(a) {
    if (a.issuer && a.account) return `${a.issuer} (${a.account})`;
    return a.issuer || a.account || a.id;
  }

  return { explain, label };
})();
