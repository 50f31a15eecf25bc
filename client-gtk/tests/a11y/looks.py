"""How the app looks and answers the keyboard (issue 15), measured through the accessibility
tree: sizes at 360 px and at 1280 px, the keyboard shortcuts, the Dutch translation.

  looks.py sizes      at 1280 px the list is clamped and rows are compact; at 360 px nothing
                      widens the window (not even an HOTP row's hint) and the title is whole
  looks.py keys       Ctrl+F, Ctrl+?, the primary menu, Ctrl+N and Enter in the link field,
                      the HOTP counter field, a row's details titled and closed with Ctrl+W
  looks.py dutch      with LANGUAGE=nl the window reads in Dutch
"""

import subprocess
import sys
import time

import pyatspi

from atspi import (
    button, click, ctrl, escape, fail, find, frame_names, gone, label, press, sensitive,
    text_of, type_into, wait, window,
)


def extents(node):
    return node.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)


def resize(width, height):
    """Resizes the app's window as a window manager would (no window manager runs here)."""
    found = subprocess.run(
        ["xdotool", "search", "--sync", "--onlyvisible", "--class", "org.latchkey.Latchkey"],
        capture_output=True, text=True, check=True,
    ).stdout.split()
    subprocess.run(["xdotool", "windowsize", found[0], str(width), str(height)], check=True)
    time.sleep(1.0)


def refocus(a):
    """Clicks the main window's title, as a person does to type into it again: with no window
    manager here, a closed window leaves the keyboard focus nowhere."""
    for n in find(main_window(a), "label", "Latchkey"):
        x, y, w, h = extents(n)
        if w > 0 and y < 40:
            click(n)
            time.sleep(0.3)
            return
    fail("no title to click", a)


def main_window(a):
    return window(a, "Latchkey", "the main window")


def rows(a):
    lists = find(a, "list", "Accounts")
    if not lists:
        fail("no account list", a)
    return find(lists[0], "list item")


def title_width(a):
    """The width of the header's "Latchkey" title (ellipsized, it is narrower)."""
    for n in find(main_window(a), "label", "Latchkey"):
        x, y, w, h = extents(n)
        if w > 0 and y < 40:
            return w
    fail("no title in the header", a)


def sizes(a):
    resize(1280, 800)
    whole = title_width(a)
    for r in rows(a):
        x, y, w, h = extents(r)
        if w > 680:
            fail(f"at 1280 px the row {r.name!r} is {w} px wide: the list is not clamped", a)
        if h > 84:
            fail(f"the row {r.name!r} is {h} px tall", a)
        copy = find(r, "push button", contains="Copy the code")
        code = [n for n in find(r, "label") if (n.name or "").startswith("Code")]
        if copy and code and extents(copy[0])[0] - extents(code[0])[0] > 640:
            fail(f"{r.name!r}: the code and its copy button are far apart", a)
    resize(360, 680)
    before = extents(main_window(a))[2]
    press(wait(a, "root's reveal toggle", name="Show the code for root"))
    label(a, "Copy for a code", "the HOTP hint")
    time.sleep(0.5)
    after = extents(main_window(a))[2]
    if after > 360 or after != before:
        fail(f"at 360 px the window is {after} px wide after the HOTP hint (was {before})", a)
    if title_width(a) < whole:
        fail(f"at 360 px the title is cut ({title_width(a)} px of {whole})", a)
    # A copy's toast names the account and is short enough not to be cut at 360 px.
    long = "The Very Long Example Corporation Intranet (someone.with.a.long.name@example.com)"
    press(wait(a, "the long account's copy button", "push button", f"Copy the code for {long}"))
    toast = label(a, ": code copied", "the copy toast")
    text = text_of(toast)
    if not text.startswith("The Very Long") or len(text) > 32:
        fail(f"the toast {text!r} does not name the account in a few words", a)
    print(f"SIZES title {whole} px, window {after} px")


def keys(a):
    ctrl(ord("f"))
    search = wait(a, "the search entry", "entry", "Search accounts",
                  ok=lambda n: n.getState().contains(pyatspi.STATE_FOCUSED))
    escape()
    ctrl(ord("?"))
    # GtkShortcutsWindow has no title of its own: found by one of its entries.
    wait(a, "the Keyboard Shortcuts window", "label", "Copy the selected code")
    escape()
    gone(a, "GtkShortcutsWindow", "the Keyboard Shortcuts window after Escape")
    refocus(a)
    # Ctrl+N, a link pasted, Enter: added.
    ctrl(ord("n"))
    d = window(a, "Add Account")
    link = wait(d, "the link field", "text", "otpauth:// link")
    type_into(link, "otpauth://totp/Forgejo:dan?secret=ONSWG4TFOQYTEMZU&issuer=Forgejo")
    click(link)
    pyatspi.Registry.generateKeyboardEvent(0xFF0D, None, pyatspi.KEY_SYM)
    gone(a, "Add Account", "the Add Account window after Enter")
    wait(a, "the added account", "list item", "Forgejo (dan)")
    refocus(a)
    # The form's HOTP counter: issuer, secret, Counter-based, counter 7.
    ctrl(ord("n"))
    d = window(a, "Add Account")
    type_into(wait(d, "the issuer", "text", "Issuer"), "Bank")
    type_into(wait(d, "the account", "text", "Account"), "joe")
    type_into(wait(d, "the secret", "text", "Secret key (Base32)"), "GEZDGNBVGY3TQOJQ")
    kind = wait(d, "the type row", "combo box", "Type")
    click(kind)
    # The list pops up on the current choice (time-based); the next one is counter-based.
    wait(a, "the HOTP choice", name="Counter-based (HOTP)")
    time.sleep(0.5)
    for keysym in (0xFF54, 0xFF0D):  # Down, Return
        pyatspi.Registry.generateKeyboardEvent(keysym, None, pyatspi.KEY_SYM)
        time.sleep(0.3)
    counter = wait(d, "the counter", "spin button", "Counter of the next code")
    counter.queryValue().currentValue = 7
    press(button(d, "Add"))
    gone(a, "Add Account", "the Add Account window after Add")
    wait(a, "the HOTP account", "list item", "Bank (joe)")
    refocus(a)
    # A row's details: a window titled after the account; Ctrl+W closes it.
    x, y, w, h = extents(wait(a, "GitHub's row", "list item", "GitHub (alice)"))
    pyatspi.Registry.generateMouseEvent(x + w // 3, y + h // 2, "b1d")
    window(a, "GitHub (alice) — Latchkey", "the details window")
    ctrl(ord("w"))
    gone(a, "GitHub (alice) — Latchkey", "the details window after Ctrl+W")
    # Last: with no window manager here, a closed menu leaves the keyboard focus nowhere.
    press(find(a, "push button", "Main menu")[-1])
    for item in ("Lock", "Keyboard Shortcuts", "Import…", "Export…", "Preferences"):
        wait(a, f"{item} in the primary menu", "menu item", item)
    escape()


def dutch(a):
    label(a, "Latchkey", "the title")
    wait(a, "the copy button in Dutch", "push button", "De code van GitHub (alice) kopiëren")
    wait(a, "the add button in Dutch", "push button", "Account toevoegen")
    press(find(a, "push button", "Hoofdmenu")[-1])
    wait(a, "the menu in Dutch", "menu item", "Voorkeuren")
    escape()


if __name__ == "__main__":
    {"sizes": sizes, "keys": keys, "dutch": dutch}[sys.argv[1]](__import__("atspi").app())
    print(f"ok: {sys.argv[1]}")
