"""An account's websites in the app (issue 18, browser fill): the Websites group of the account's
details, where the sites browser fill offers its codes on are listed, added and removed, with no
terminal.

  sites.py open ACCOUNT         double-click ACCOUNT's row: its details window, with a Websites
                                group
  sites.py add ACCOUNT TEXT SITE
                                type TEXT into "Website to add", press Add: SITE is listed with
                                its remove button and the entry is emptied
  sites.py refused ACCOUNT TEXT WORDS
                                the same with a text the daemon refuses: WORDS shown under the
                                list, the text still in the entry to correct
  sites.py remove ACCOUNT SITE  press "Remove SITE": it is no longer listed
  sites.py wait ACCOUNT SITE    SITE appears in the list (added elsewhere)

Every step ends by printing the listed sites, one "SITE <host>" a line, in order.
"""

import sys
import time

import pyatspi

from atspi import (
    fail, find, frame_names, label, press, sensitive, text_of, type_into, wait, window,
)


def details(a, account):
    """The details window of `account` (opened by a double click on its row if need be)."""
    title = f"{account} — Latchkey"
    if title not in frame_names(a):
        row = wait(a, f"{account}'s row", "list item", account)
        x, y, w, h = row.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
        pyatspi.Registry.generateMouseEvent(x + w // 3, y + h // 2, "b1d")
    return window(a, title, "the details window")


def listed(d):
    """The sites the details window lists: one remove button each, named after its site."""
    for _ in range(50):
        try:
            names = [b.name for b in find(d, "push button", contains="Remove ")]
            return [n[len("Remove "):] for n in names if n != "Remove Account…"]
        except Exception:
            # A row went while being read (the list is being redrawn): read it again.
            time.sleep(0.1)
    fail("the list of websites could not be read", d)


def entry(d):
    return wait(d, "the website entry", "text", "Website to add")


def settle(d, ok, what):
    deadline = time.time() + 20
    while time.time() < deadline:
        if ok(listed(d)):
            return
        time.sleep(0.1)
    fail(f"timed out waiting for {what}; listed: {listed(d)}", d)


def show(d):
    for site in listed(d):
        print(f"SITE {site}")


def open_(a, account):
    d = details(a, account)
    wait(d, "the Websites list", "list", "Websites")
    label(d, "browser extension offers", "the line saying what the sites are for")
    if not listed(d):
        label(d, "No websites yet", "the empty list said in words")
    show(d)


def submit(d, text):
    type_into(entry(d), text)
    add = wait(d, "the Add button", "push button", "Add website", ok=sensitive)
    press(add)


def add(a, account, text, site):
    d = details(a, account)
    submit(d, text)
    settle(d, lambda s: site in s, f"{site} listed")
    deadline = time.time() + 20
    while text_of(entry(d)) != "":
        if time.time() > deadline:
            fail("the entry kept the added text", d)
        time.sleep(0.1)
    label(d, site, f"{site} shown as a row")
    show(d)


def refused(a, account, text, words):
    d = details(a, account)
    before = listed(d)
    submit(d, text)
    label(d, words, f"the daemon's reason ({words!r}) on screen")
    if text_of(entry(d)) != text:
        fail(f"the refused text was lost: the entry holds {text_of(entry(d))!r}", d)
    if listed(d) != before:
        fail(f"the list changed on a refusal: {before} -> {listed(d)}", d)
    show(d)


def remove(a, account, site):
    d = details(a, account)
    press(wait(d, f"Remove {site}", "push button", f"Remove {site}"))
    settle(d, lambda s: site not in s, f"{site} gone from the list")
    show(d)


def wait_for(a, account, site):
    d = details(a, account)
    settle(d, lambda s: site in s, f"{site} listed after a change elsewhere")
    show(d)


if __name__ == "__main__":
    app = __import__("atspi").app()
    steps = {"open": open_, "add": add, "refused": refused, "remove": remove, "wait": wait_for}
    steps[sys.argv[1]](app, *sys.argv[2:])
    print(f"ok: {sys.argv[1]}")
