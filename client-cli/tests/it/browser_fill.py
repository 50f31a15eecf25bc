#!/usr/bin/python3
"""Browser fill in a real browser (headless, Selenium), Chromium or Firefox: the extension
(browser/extension), the host manifest `latchkey browser install` wrote, pages served here on
127.0.0.1. Consent is answered with the real `latchkey approve`/`deny` on the test's bus.

Usage: browser_fill.py LATCHKEY EXTENSION_DIR PROFILE SECRET_BASE32 ACCOUNT_ID [ROUNDS]
LATCHKEY_TEST_BROWSER chooses the browser: `chromium` (the default) or `firefox`.
- Chromium (/usr/bin/chromium, /usr/bin/chromedriver): the unpacked extension, PROFILE as its
  --user-data-dir, whose NativeMessagingHosts folder holds the manifest (or, for the installed
  package, the system-wide one in /etc/chromium/native-messaging-hosts).
- Firefox (/usr/bin/firefox-esr, geckodriver from PATH): PROFILE as a new profile folder, the
  extension installed as a temporary add-on; Firefox reads the manifest from
  $HOME/.mozilla/native-messaging-hosts. geckodriver's log (Firefox's console) goes to
  PROFILE.geckodriver.log, and its end is printed to stderr when a check fails.
In Chromium it also drives the toolbar popup and the keyboard shortcut through the DevTools
protocol at the browser's endpoint chromedriver uses (trio-websocket, python3-selenium's
dependency): the popup opened with chrome.action.openPopup() evaluated in the extension's service
worker (what the toolbar button does, which no command can click), a real click (Input mouse
events) on the account it lists; Alt+Shift+L as Input key events to the tab, which the browser
handles as the extension's command before the page sees them.
In Firefox it drives the context menu's entry, the toolbar popup and the shortcut in the
browser's own UI, through Marionette's chrome context (geckodriver --allow-system-access, which
Firefox 138 and later require for it): a right-click on the code field (Selenium's context_click)
opens #contentAreaContextMenu and Latchkey's entry there is activated as a click does; a click
on the extensions button, then on Latchkey's entry in its panel, opens the popup, whose content
(in the extension's process) a frame script reads, and a pointer click on the popup's browser
at the account's place picks it; Alt+Shift+L as key actions to the browser window.
The vault's passphrase is LATCHKEY_PASSPHRASE from the environment ("pw" when unset).
Prints `ok STEP` per step; any failure raises (exit status 1). With ROUNDS, it then measures
click-to-fill latency ROUNDS times (as the page sees it: from the click on Latchkey's button to
the field's input event), then the first fill of a browser session (the host ended before
each, so the click starts a new one) max(5, ROUNDS / 3) times, beside a bare Vault.GetCode
round trip over D-Bus from this process, and prints `bench …` lines. Everything it starts (the page servers, the driver and the browser
through driver.quit) it stops before it exits.
"""

import http.server
import json
import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request

import trio
from selenium import webdriver
from selenium.webdriver.chrome.service import Service as ChromeService
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.firefox.service import Service as FirefoxService
from trio_websocket import open_websocket_url

LATCHKEY, EXTENSION, PROFILE, SECRET, ACCOUNT = sys.argv[1:6]
ROUNDS = int(sys.argv[6]) if len(sys.argv) > 6 else 0
BROWSER = os.environ.get("LATCHKEY_TEST_BROWSER", "chromium")

CODE_PAGE = b"""<!doctype html><title>Sign in</title>
<form><label>Code <input id="otp" autocomplete="one-time-code" inputmode="numeric"
style="width:240px;height:32px"></label></form>"""


# The code page with a stopwatch: a click that lands on Latchkey's button (its shadow host, as
# the page sees it) starts it, the field's input event stops it.
BENCH_PAGE = CODE_PAGE + b"""<script>
window.latencies = []; let started = 0;
addEventListener("click", (e) => {
  if (e.target.tagName === "LATCHKEY-FILL") started = performance.now();
}, true);
document.getElementById("otp").addEventListener("input", () => {
  window.latencies.push(performance.now() - started);
});
</script>"""


def frame_page(inner):
    return (
        "<!doctype html><title>Frame</title><p>An embedded sign-in form:</p>"
        f'<iframe id="f" src="{inner}/code" style="width:400px;height:120px"></iframe>'
    ).encode()


def serve(port_holder, pages):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = pages.get(self.path.split("?")[0])
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port_holder.append(server.server_address[1])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def latchkey(*args, stdin=None):
    out = subprocess.run(
        [LATCHKEY, *args], input=stdin, capture_output=True, text=True, timeout=30
    )
    if out.returncode != 0:
        raise AssertionError(f"latchkey {args}: {out.returncode} {out.stdout} {out.stderr}")
    return out.stdout


def latchkey_as_person(*args):
    """Runs latchkey on a terminal of its own (a pty, in its foreground) and answers "yes" when
    it asks the person there to confirm, as the installed CLI (no test hooks) does for an
    "always" answer. A test build told it is unattended asks nothing and just ends."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(LATCHKEY, [LATCHKEY, *args])
    seen = b""
    deadline = time.monotonic() + 30
    answered = False
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the pty closes when latchkey ends
            break
        if not chunk:
            break
        seen += chunk
        if not answered and b"Type yes to confirm:" in seen:
            os.write(fd, b"yes\n")
            answered = True
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    if os.waitstatus_to_exitcode(status) != 0:
        raise AssertionError(f"latchkey {args} at a terminal: {status} {seen!r}")
    return seen.decode(errors="replace")


def pending(timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        requests = json.loads(latchkey("approvals", "--json"))
        if requests:
            return requests
        time.sleep(0.05)
    return []


def oathtool_codes():
    now = int(time.time())
    return {
        subprocess.run(
            ["oathtool", "--totp", "-b", "-N", f"@{t}", SECRET],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
        for t in (now - 30, now, now + 30)
    }


def value(driver, element):
    return driver.execute_script("return arguments[0].value", element)


def wait_value(driver, element, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = value(driver, element)
        if v:
            return v
        time.sleep(0.05)
    return ""


def click_fill_button(driver, field):
    """Focuses the field (a real click), then clicks Latchkey's button drawn inside its right
    edge (in a closed shadow root: only a real pointer reaches it)."""
    ActionChains(driver).move_to_element(field).click().perform()
    time.sleep(0.3)
    width = field.size["width"]
    ActionChains(driver).move_to_element_with_offset(field, width // 2 - 15, 0).click().perform()


# The extension's id in Chromium (from the manifest's key).
EXTENSION_ID = "indcnkplngbcnodobnmlhecmkpfkeffp"
POPUP_URL = f"chrome-extension://{EXTENSION_ID}/popup.html"


class DevTools:
    """Chromium's DevTools protocol at the browser's own endpoint (the one chromedriver drives
    it through, on 127.0.0.1), over trio-websocket (python3-selenium's dependency; Debian's
    Selenium has no generated CDP bindings for `bidi_connection`). Targets are reached through
    flat sessions: `call(..., session=ID)`."""

    def __init__(self, ws):
        self.ws = ws
        self.next_id = 0

    async def call(self, method, params=None, session=None):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        await self.ws.send_message(json.dumps(message))
        with trio.fail_after(20):
            while True:
                reply = json.loads(await self.ws.get_message())
                if reply.get("id") == self.next_id:
                    break
        if "error" in reply:
            raise AssertionError(f"DevTools {method}: {reply['error']}")
        return reply["result"]

    async def targets(self, kind, url):
        infos = (await self.call("Target.getTargets"))["targetInfos"]
        return [t for t in infos if t["type"] == kind and t["url"].startswith(url)]

    async def attach(self, target):
        reply = await self.call("Target.attachToTarget", {"targetId": target, "flatten": True})
        return reply["sessionId"]

    async def evaluate(self, session, expression, gesture=False):
        reply = await self.call(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True,
             "userGesture": gesture},
            session,
        )
        if "exceptionDetails" in reply:
            raise AssertionError(f"DevTools evaluate: {reply['exceptionDetails']}")
        return reply["result"].get("value")


async def press_shortcut(tools, page_url):
    """Alt+Shift+L (the manifest's suggested key for `fill-code`) as the keyboard sends it, to the
    tab showing `page_url` (Input.dispatchKeyEvent: the browser sees the key before the page,
    and runs the extension's command for it)."""
    pages = [t for t in await tools.targets("page", page_url) if t["url"] == page_url]
    assert len(pages) == 1, pages
    session = await tools.attach(pages[0]["targetId"])
    for kind in ("rawKeyDown", "keyUp"):
        await tools.call(
            "Input.dispatchKeyEvent",
            {"type": kind, "modifiers": 1 | 8, "key": "L", "code": "KeyL",
             "windowsVirtualKeyCode": 76, "nativeVirtualKeyCode": 76},
            session,
        )


def devtools_url(driver):
    """The browser's DevTools endpoint chromedriver started it with, on 127.0.0.1."""
    address = driver.capabilities["goog:chromeOptions"]["debuggerAddress"]
    host, port = address.rsplit(":", 1)
    assert host in ("localhost", "127.0.0.1"), address
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/version", timeout=10) as r:
        url = json.load(r)["webSocketDebuggerUrl"]
    return url.replace("ws://localhost:", "ws://127.0.0.1:", 1)


async def open_popup(tools):
    """Opens the action's popup on the active tab, as its toolbar button does:
    chrome.action.openPopup() evaluated in the extension's service worker (with a user gesture).
    Returns the popup's target and a session attached to it, once it is there."""
    workers = await tools.targets("service_worker", f"chrome-extension://{EXTENSION_ID}/")
    assert len(workers) == 1, f"the extension's service worker is not running: {workers}"
    worker = await tools.attach(workers[0]["targetId"])
    await tools.evaluate(worker, "chrome.action.openPopup()", gesture=True)
    opened = await wait_popup(tools, 10)
    assert opened, "chrome.action.openPopup() opened no popup"
    return opened


async def wait_popup(tools, timeout):
    """The popup's target and a session attached to it, once it is open; None if it does not
    open within `timeout` seconds."""
    with trio.move_on_after(timeout):
        while not (popups := await tools.targets("page", POPUP_URL)):
            await trio.sleep(0.05)
        return popups[0]["targetId"], await tools.attach(popups[0]["targetId"])
    return None


async def popup_state(tools, session):
    """What the popup shows: its status line and the labels of its account buttons, once it
    stopped asking."""
    with trio.fail_after(15):
        while True:
            state = await tools.evaluate(
                session,
                "({status: document.getElementById('status').textContent,"
                " site: document.getElementById('site').textContent,"
                " accounts: [...document.querySelectorAll('#accounts button')]"
                ".map((b) => b.textContent)})",
            )
            if state and not state["status"].startswith("Asking"):
                return state
            await trio.sleep(0.05)


async def real_click(tools, session, selector):
    """A click as a pointer makes it (Input.dispatchMouseEvent: trusted events) at the middle of
    the element `selector` finds in the popup."""
    box = await tools.evaluate(
        session,
        f"(() => {{ const r = document.querySelector({json.dumps(selector)})"
        ".getBoundingClientRect(); return {x: r.x + r.width / 2, y: r.y + r.height / 2}; })()",
    )
    for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
        params = {"type": kind, "x": box["x"], "y": box["y"]}
        if kind != "mouseMoved":
            params.update(button="left", clickCount=1)
        await tools.call("Input.dispatchMouseEvent", params, session)


def main():
    ports, other_ports = [], []
    pages, other_pages = {}, {}
    servers = [serve(ports, pages), serve(other_ports, other_pages)]
    here = f"http://127.0.0.1:{ports[0]}"
    # Another origin: the same machine under another name and port.
    other = f"http://localhost:{other_ports[0]}"
    pages["/code"] = CODE_PAGE
    pages["/bench"] = BENCH_PAGE
    other_pages["/code"] = CODE_PAGE
    # A page of another origin framing the page whose site has the account (and a remembered
    # consent by then): the frame's field must still get nothing.
    other_pages["/frame"] = frame_page(here)

    driver = start_browser()
    try:
        driver.set_page_load_timeout(20)
        run(driver, here, other)
        if ROUNDS:
            bench(driver, here)
    except BaseException:
        if BROWSER == "firefox":
            show_log_end()
        raise
    finally:
        driver.quit()
        for s in servers:
            s.shutdown()


def start_browser():
    if BROWSER == "chromium":
        return start_chromium()
    if BROWSER == "firefox":
        return start_firefox()
    raise AssertionError(f"LATCHKEY_TEST_BROWSER={BROWSER!r}: chromium or firefox")


def start_chromium():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--no-first-run",
        f"--user-data-dir={PROFILE}",
        f"--load-extension={EXTENSION}",
        f"--disable-extensions-except={EXTENSION}",
        "--disable-features=DisableLoadExtensionCommandLineSwitch",
        "--window-size=1000,700",
    ):
        options.add_argument(arg)
    return webdriver.Chrome(service=ChromeService("/usr/bin/chromedriver"), options=options)


def start_firefox():
    geckodriver = shutil.which("geckodriver")
    if geckodriver is None:
        raise AssertionError("no geckodriver on PATH (scripts/test.sh installs it with cargo)")
    options = webdriver.FirefoxOptions()
    options.binary_location = "/usr/bin/firefox-esr"
    # PROFILE is a new, empty folder: Firefox makes its profile there (geckodriver adds its
    # prefs in user.js) instead of a copy in /tmp.
    for arg in ("-headless", "-profile", PROFILE, "--width=1000", "--height=700"):
        options.add_argument(arg)
    # --allow-system-access: Marionette's chrome context (the browser's own UI: its context
    # menu), which Firefox 138 and later refuse unless started with -remote-allow-system-access.
    service = FirefoxService(
        geckodriver,
        log_path=PROFILE + ".geckodriver.log",
        service_args=["--allow-system-access"],
    )
    driver = webdriver.Firefox(service=service, options=options)
    try:
        # A temporary add-on, as about:debugging loads one: unsigned, for this run only. Firefox
        # grants its host_permissions at install (the profile's extension-preferences.json lists
        # them), so the content script runs with no pref set.
        driver.install_addon(EXTENSION, temporary=True)
    except BaseException:
        driver.quit()
        raise
    return driver


def show_log_end():
    try:
        with open(PROFILE + ".geckodriver.log", encoding="utf-8", errors="replace") as log:
            lines = log.readlines()[-60:]
    except OSError:
        return
    sys.stderr.write("geckodriver's log (its end):\n" + "".join(lines))


def run(driver, here, other):
    # Denied: nothing is filled, and the refusal is remembered until revoked.
    driver.get(f"{here}/code")
    field = driver.find_element(By.ID, "otp")
    time.sleep(1.0)  # the content script runs at document_idle
    click_fill_button(driver, field)
    asked = pending(15)
    assert len(asked) == 1, asked
    request = asked[0]
    assert request["account_id"] == ACCOUNT, request
    assert "127.0.0.1" in request["message"] + request["title"], request
    latchkey("deny", request["path"])
    assert wait_value(driver, field, 2.0) == "", "filled after a denial"
    grants = json.loads(latchkey("access", "list", "--json"))
    # (Another browser's remembered answers for the site may be listed too: the package test
    # runs Chromium, then Firefox, on one vault.)
    denied = [
        g["identity"]
        for g in grants
        if g["identity"].startswith("browser:127.0.0.1@") and g["decision"] == "deny"
    ]
    assert len(denied) == 1, grants
    latchkey("access", "revoke", denied[0])
    print("ok denied", flush=True)

    # Approved: the field holds oathtool's code.
    driver.get(f"{here}/code")
    field = driver.find_element(By.ID, "otp")
    time.sleep(1.0)
    click_fill_button(driver, field)
    asked = pending(15)
    assert len(asked) == 1, asked
    latchkey_as_person("approve", asked[0]["path"], "--always")
    code = wait_value(driver, field, 10.0)
    assert code in oathtool_codes(), "the field holds no code oathtool gives (codes not printed)"
    print("ok approved", flush=True)

    if BROWSER == "chromium":
        popup_fills(driver, here, other)
        print("ok popup", flush=True)
        shortcut_fills(driver, here, other)
        print("ok shortcut", flush=True)
    if BROWSER == "firefox":
        context_menu_fills(driver, here, other)
        print("ok context-menu", flush=True)
        firefox_popup_fills(driver, here, other)
        print("ok popup", flush=True)
        firefox_shortcut_fills(driver, here, other)
        print("ok shortcut", flush=True)

    # Another origin: no account belongs to it; nothing asked, nothing filled.
    driver.get(f"{other}/code")
    field = driver.find_element(By.ID, "otp")
    time.sleep(1.0)
    click_fill_button(driver, field)
    assert wait_value(driver, field, 2.0) == "", "another origin got a code"
    assert pending(0.5) == [], "another origin opened a request"
    print("ok other-origin", flush=True)

    # The account's page in a cross-origin frame of another page: never filled.
    driver.get(f"{other}/frame")
    time.sleep(1.0)
    driver.switch_to.frame(driver.find_element(By.ID, "f"))
    field = driver.find_element(By.ID, "otp")
    click_fill_button(driver, field)
    assert wait_value(driver, field, 2.0) == "", "a cross-origin frame got a code"
    driver.switch_to.default_content()
    assert pending(0.5) == [], "the frame opened a request"
    print("ok frame", flush=True)

    # Locked: nothing until the vault is unlocked, then the (remembered) fill completes.
    latchkey("lock")
    driver.get(f"{here}/code")
    field = driver.find_element(By.ID, "otp")
    time.sleep(1.0)
    click_fill_button(driver, field)
    assert wait_value(driver, field, 2.0) == "", "filled while locked"
    passphrase = os.environ.get("LATCHKEY_PASSPHRASE", "pw")
    latchkey("unlock", "--passphrase-stdin", stdin=passphrase + "\n")
    code = wait_value(driver, field, 10.0)
    assert code in oathtool_codes(), "the field holds no code oathtool gives (codes not printed)"
    print("ok locked", flush=True)


def popup_fills(driver, here, other):
    """The toolbar popup (Chromium): opened as its toolbar button opens it, on the account's
    page it lists the site's one account, and a real click on it fills oathtool's code (the
    consent is remembered by then) and closes the popup; on another origin it lists nothing."""
    url = devtools_url(driver)

    async def popup(then):
        async with open_websocket_url(url) as ws:
            tools = DevTools(ws)
            # The extension's worker lives while its port to the host is open (the fills before).
            worker = f"chrome-extension://{EXTENSION_ID}/"
            with trio.move_on_after(5):
                while not await tools.targets("service_worker", worker):
                    await trio.sleep(0.1)
            target, session = await open_popup(tools)
            return await then(tools, target, session)

    driver.get(f"{here}/code")
    field = driver.find_element(By.ID, "otp")
    time.sleep(1.0)

    async def pick(tools, target, session):
        state = await popup_state(tools, session)
        assert state["accounts"] == [account_label()], state
        assert state["site"] == here.split("//")[1], state
        await real_click(tools, session, "#accounts button")
        code = await trio.to_thread.run_sync(wait_value, driver, field, 10.0)
        if code not in oathtool_codes():
            state = await popup_state(tools, session)
            raise AssertionError(
                f"the popup's pick filled no valid code ({len(code)} characters); "
                f"it shows {state}"
            )
        # Filled, the popup closes itself.
        with trio.move_on_after(5):
            while await tools.targets("page", POPUP_URL):
                await trio.sleep(0.05)
            return
        raise AssertionError("the popup stayed open after its fill")

    trio.run(popup, pick)

    driver.get(f"{other}/code")
    field = driver.find_element(By.ID, "otp")
    time.sleep(1.0)

    async def none(tools, target, session):
        state = await popup_state(tools, session)
        await tools.call("Target.closeTarget", {"targetId": target})
        return state

    state = trio.run(popup, none)
    assert state["accounts"] == [], state
    assert state["status"] == "Latchkey has no account for this site.", state
    assert value(driver, field) == "", "another origin got a code"
    assert pending(0.5) == [], "the popup on another origin opened a request"


def shortcut_fills(driver, here, other):
    """The keyboard shortcut (Chromium): on the account's page it fills oathtool's code into the
    focused field at once; on another origin it fills nothing and opens the popup instead, which
    says the site has no account."""
    url = devtools_url(driver)

    def focused_field(page):
        driver.get(page)
        field = driver.find_element(By.ID, "otp")
        time.sleep(1.0)  # the content script runs at document_idle
        ActionChains(driver).move_to_element(field).click().perform()
        return field

    field = focused_field(f"{here}/code")

    async def press(page_url):
        async with open_websocket_url(url) as ws:
            await press_shortcut(DevTools(ws), page_url)

    trio.run(press, driver.current_url)
    code = wait_value(driver, field, 10.0)
    assert code in oathtool_codes(), f"the shortcut filled no valid code ({len(code)} characters)"

    field = focused_field(f"{other}/code")

    async def press_then_popup(page_url):
        async with open_websocket_url(url) as ws:
            tools = DevTools(ws)
            await press_shortcut(tools, page_url)
            opened = await wait_popup(tools, 10)
            assert opened, "the shortcut on another origin opened no popup"
            target, session = opened
            state = await popup_state(tools, session)
            await tools.call("Target.closeTarget", {"targetId": target})
            return state

    state = trio.run(press_then_popup, driver.current_url)
    assert state["accounts"] == [], state
    assert state["status"] == "Latchkey has no account for this site.", state
    assert value(driver, field) == "", "another origin got a code"
    assert pending(0.5) == [], "the shortcut on another origin opened a request"


# Latchkey's entry in Firefox's content-area context menu: the menus API names its element
# `<widget id>-menuitem-_<item id>`, the widget id being the add-on's id with every character
# but [a-z0-9_-] made `_`.
MENU_ITEM = "browser_latchkey_codeberg_page-menuitem-_fill-code"


def context_menu(driver, field):
    """Right-clicks `field` (a real pointer's right button: the page gets its contextmenu event
    and Firefox opens #contentAreaContextMenu), then, in the browser's own UI (Marionette's
    chrome context), activates Latchkey's entry in that menu as a click on it does (the menu's
    activateItem: the item's command event, then the menu closes)."""
    ActionChains(driver).move_to_element(field).click().perform()
    ActionChains(driver).context_click(field).perform()
    with driver.context(driver.CONTEXT_CHROME):
        label = driver.execute_async_script(
            """
            const [id, done] = arguments;
            const menu = document.getElementById("contentAreaContextMenu");
            const deadline = Date.now() + 10000;
            (function poll() {
              const item = document.getElementById(id);
              if (menu.state === "open" && item && !item.hidden) {
                menu.activateItem(item);
                done(item.label);
              } else if (Date.now() > deadline) {
                done("not shown: the menu is " + menu.state + ", its items " +
                  [...menu.querySelectorAll("menuitem[id*=menuitem]")].map((i) => i.id));
              } else {
                setTimeout(poll, 50);
              }
            })();
            """,
            MENU_ITEM,
        )
    assert label == "Fill one-time code from Latchkey", f"Latchkey's menu entry: {label}"


def code_page(driver, url):
    """Loads the code page at `url`; returns its field once the content script ran."""
    driver.get(f"{url}/code")
    field = driver.find_element(By.ID, "otp")
    time.sleep(1.0)  # the content script runs at document_idle
    return field


def fills_code(driver, field, what):
    code = wait_value(driver, field, 10.0)
    assert code in oathtool_codes(), f"{what} filled no valid code ({len(code)} characters)"


def says_no_account(driver, field, view, what):
    """On another origin: the popup `view` lists nothing and says why, the field is empty and
    nothing was asked."""
    assert view is not None, f"{what} on another origin opened no popup"
    assert view["accounts"] == [], view
    assert view["status"] == "Latchkey has no account for this site.", view
    assert wait_value(driver, field, 0.5) == "", "another origin got a code"
    assert pending(0.5) == [], f"{what} on another origin opened a request"


def context_menu_fills(driver, here, other):
    """The context menu (Firefox): on the account's page, Latchkey's entry for the code field
    fills oathtool's code (the consent is remembered by then); on another origin it fills
    nothing, opens no request and opens the popup instead, which says the site has no account."""
    field = code_page(driver, here)
    context_menu(driver, field)
    fills_code(driver, field, "the menu")

    field = code_page(driver, other)
    context_menu(driver, field)
    with driver.context(driver.CONTEXT_CHROME):
        view = popup_view(driver)
        close_popup(driver)
    says_no_account(driver, field, view, "the menu")


ACTION_BUTTON = "browser_latchkey_codeberg_page-BAP"
POPUP_BROWSER = "browser.webextension-popup-browser"


def popup_view(driver):
    """What the open popup shows (Firefox, in chrome context): its status line, its site and its
    account buttons with their boxes in the popup, read by a frame script in the popup's browser
    (the popup runs in the extension's process, out of the chrome's reach), once it stopped
    asking. None if no popup is open."""
    return driver.execute_async_script(
        """
        const [selector, done] = arguments;
        const deadline = Date.now() + 15000;
        const reader = () => {
          const d = content.document;
          const status = d.getElementById("status");
          sendAsyncMessage("latchkey-test:popup", status && {
            status: status.textContent,
            site: d.getElementById("site").textContent,
            accounts: [...d.querySelectorAll("#accounts button")].map((b) => {
              const r = b.getBoundingClientRect();
              return {label: b.textContent, x: r.x + r.width / 2, y: r.y + r.height / 2};
            }),
          });
        };
        (function poll() {
          const browser = document.querySelector(selector);
          if (!browser || !browser.messageManager) {
            if (Date.now() > deadline) return done(null);
            return setTimeout(poll, 50);
          }
          const mm = browser.messageManager;
          mm.addMessageListener("latchkey-test:popup", function heard(m) {
            mm.removeMessageListener("latchkey-test:popup", heard);
            if (m.data && !m.data.status.startsWith("Asking")) return done(m.data);
            if (Date.now() > deadline) return done(m.data);
            setTimeout(poll, 50);
          });
          mm.loadFrameScript("data:," + encodeURIComponent("(" + reader + ")()"), false);
        })();
        """,
        POPUP_BROWSER,
    )


def close_popup(driver):
    """Closes the open popup's panel (as Escape or a click elsewhere does) and waits until its
    browser is gone (Firefox, in chrome context)."""
    driver.execute_async_script(
        """
        const [selector, done] = arguments;
        const browser = document.querySelector(selector);
        if (browser) browser.closest("panel").hidePopup();
        const deadline = Date.now() + 5000;
        (function poll() {
          if (!document.querySelector(selector) || Date.now() > deadline) return done();
          setTimeout(poll, 50);
        })();
        """,
        POPUP_BROWSER,
    )
    assert not driver.find_elements(By.CSS_SELECTOR, POPUP_BROWSER), "the popup stayed open"


def open_action_popup(driver):
    """Opens the toolbar popup as a person does (Firefox, in chrome context): a click on the
    extensions button, then on Latchkey's entry in its panel. Returns what the popup shows."""
    driver.find_element(By.ID, "unified-extensions-button").click()
    driver.find_element(By.ID, ACTION_BUTTON).click()
    view = popup_view(driver)
    assert view is not None, "the toolbar button opened no popup"
    return view


def firefox_popup_fills(driver, here, other):
    """The toolbar popup (Firefox): opened from the toolbar, on the account's page it lists the
    site's one account, and a real click on it (a pointer's click on the popup, dispatched by
    the browser into the popup's page) fills oathtool's code and closes the popup; on another
    origin it lists nothing."""
    field = code_page(driver, here)
    with driver.context(driver.CONTEXT_CHROME):
        view = open_action_popup(driver)
        assert [a["label"] for a in view["accounts"]] == [account_label()], view
        assert view["site"] == here.split("//")[1], view
        browser = driver.find_element(By.CSS_SELECTOR, POPUP_BROWSER)
        size = browser.rect
        account = view["accounts"][0]
        # Offsets from the popup's middle to the account button's.
        ActionChains(driver).move_to_element_with_offset(
            browser,
            round(account["x"] - size["width"] / 2),
            round(account["y"] - size["height"] / 2),
        ).click().perform()
    fills_code(driver, field, "the popup's pick")
    with driver.context(driver.CONTEXT_CHROME):
        deadline = time.monotonic() + 5
        while driver.find_elements(By.CSS_SELECTOR, POPUP_BROWSER):
            assert time.monotonic() < deadline, "the popup stayed open after its fill"
            time.sleep(0.05)

    field = code_page(driver, other)
    with driver.context(driver.CONTEXT_CHROME):
        view = open_action_popup(driver)
        close_popup(driver)
    says_no_account(driver, field, view, "the popup")


def firefox_shortcut_fills(driver, here, other):
    """The keyboard shortcut (Firefox): Alt+Shift+L pressed with the code field focused (key
    actions to the browser window, which it handles as the extension's command). On the
    account's page it fills oathtool's code into the focused field; on another origin it fills
    nothing and opens the popup instead, which says the site has no account."""

    def press(url):
        field = code_page(driver, url)
        ActionChains(driver).move_to_element(field).click().perform()
        # In chrome context: the keys go to the browser window, which passes them to the
        # focused tab and, the page not taking them, runs the shortcut. (Key actions in content
        # context are dispatched inside the page's process, where no browser shortcut runs.)
        with driver.context(driver.CONTEXT_CHROME):
            ActionChains(driver).key_down(Keys.ALT).key_down(Keys.SHIFT).send_keys("L").key_up(
                Keys.SHIFT
            ).key_up(Keys.ALT).perform()
        return field

    field = press(here)
    fills_code(driver, field, "the shortcut")

    field = press(other)
    with driver.context(driver.CONTEXT_CHROME):
        view = popup_view(driver)
        close_popup(driver)
    says_no_account(driver, field, view, "the shortcut")


def account_label():
    """The account as the popup names it: "Issuer (name)" (browser/extension/messages.js)."""
    for a in json.loads(latchkey("list", "--json")):
        if a["id"] == ACCOUNT:
            if a["issuer"] and a["account"]:
                return f"{a['issuer']} ({a['account']})"
            return a["issuer"] or a["account"] or a["id"]
    raise AssertionError(f"account {ACCOUNT} is not listed")


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))]


def hosts_under(root):
    """The latchkey-browser-host processes descended from the process `root` (this run's
    driver, so the browser it started, so the hosts that browser started)."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as f:
                parent = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(parent, []).append(int(entry))
    found, stack = [], [root]
    while stack:
        for child in children.get(stack.pop(), []):
            stack.append(child)
            try:
                if os.readlink(f"/proc/{child}/exe").endswith("/latchkey-browser-host"):
                    found.append(child)
            except OSError:
                continue
    return found


def fill_once(driver, here):
    driver.get(f"{here}/bench")
    field = driver.find_element(By.ID, "otp")
    time.sleep(1.0)
    click_fill_button(driver, field)
    assert wait_value(driver, field, 10.0), "no fill"
    return driver.execute_script("return window.latencies")


def bench(driver, here):
    fills = []
    for _ in range(ROUNDS):
        fills.extend(fill_once(driver, here))
    # The first fill of a browser session also starts the host: the host this browser runs is
    # ended (as when the browser starts afresh, the extension has no port), so the next click
    # starts a new one — a process, its bus connection, the daemon's look at who it serves.
    firsts = []
    driver_pid = driver.service.process.pid
    for _ in range(max(5, ROUNDS // 3)):
        running = hosts_under(driver_pid)
        assert running, "no host runs before the cold round"
        for pid in running:
            os.kill(pid, signal.SIGTERM)
        deadline = time.time() + 5
        while hosts_under(driver_pid):
            assert time.time() < deadline, "the host did not end"
            time.sleep(0.05)
        time.sleep(0.5)
        firsts.extend(fill_once(driver, here))
        assert hosts_under(driver_pid), "the fill started no host"
    import dbus  # python3-dbus; this process was allowed ahead of time (`access allow`)

    vault = dbus.Interface(
        dbus.SessionBus().get_object("org.latchkey.Latchkey1", "/org/latchkey/Latchkey1"),
        "org.latchkey.Latchkey1.Vault",
    )
    trips = []
    for _ in range(max(200, ROUNDS)):
        start = time.perf_counter()
        vault.GetCode(ACCOUNT)
        trips.append((time.perf_counter() - start) * 1000)
    for name, values in (
        ("click_to_fill", fills),
        ("first_fill_host_starting", firsts),
        ("getcode_round_trip", trips),
    ):
        print(
            f"bench {name}: n={len(values)} median={percentile(values, 0.5):.2f} ms "
            f"p95={percentile(values, 0.95):.2f} ms",
            flush=True,
        )


if __name__ == "__main__":
    # A bound on the whole run: the Rust side kills this process by its PID after its own.
    def timed_out(*_):
        raise TimeoutError("browser_fill.py ran out of time")

    signal.signal(signal.SIGALRM, timed_out)
    signal.alarm(150 + 5 * ROUNDS)
    main()
