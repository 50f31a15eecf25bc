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

from selenium import webdriver
from selenium.webdriver.chrome.service import Service as ChromeService
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.firefox.service import Service as FirefoxService

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
    service = FirefoxService(geckodriver, log_path=PROFILE + ".geckodriver.log")
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
    assert code in oathtool_codes(), (code, oathtool_codes())
    print("ok approved", flush=True)

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
    assert code in oathtool_codes(), (code, oathtool_codes())
    print("ok locked", flush=True)


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
