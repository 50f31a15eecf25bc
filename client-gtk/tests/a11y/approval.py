"""The approval dialog as a person meets it (issue 15): who asks, as Latchkey determined it, comes
first (the script, not just python3), the requester's words after it marked as claims, a
countdown, the numbers as large buttons none of which has the focus; Not Now only hides the
dialog (a banner brings it back); while locked the passphrase is asked in the dialog.

  approval.py check SCRIPT     the layout, then Not Now and the banner's Show
  approval.py locked PASS NN   the inline unlock, then pick NN
"""

import sys
import time

import pyatspi

from atspi import (
    button, fail, find, gone, label, no_unnamed_labels, press, sensitive, text_of, type_into,
    wait, window,
)

TITLE = "Approve Sign-In?"


def ordered(d, first, second):
    """The label containing `first` is above the one containing `second`."""
    a, b = label(d, first), label(d, second)
    ya = a.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)[1]
    yb = b.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)[1]
    if not ya < yb:
        fail(f"{first!r} (y={ya}) is not above {second!r} (y={yb})", d)


def numbers(d):
    found = [b for b in find(d, "push button") if (b.name or "").startswith("Pick ")]
    if len(found) < 2:
        fail(f"no number buttons: {[b.name for b in find(d, 'push button')]}", d)
    return found


def check(a, script):
    d = window(a, TITLE, "the approval dialog")
    no_unnamed_labels(d, "the approval dialog")
    label(d, "Asked by", "who asks")
    who = label(d, script, "the script named as who asks")
    ordered(d, "Asked by", "It says (Latchkey cannot check this)")
    ordered(d, script, "Title: \u201cLatchkey security check\u201d")
    label(d, "Expires in", "the countdown")
    for b in numbers(d):
        x, y, w, h = b.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
        if h < 48 or w < 48:
            fail(f"{b.name!r} is a small target ({w}×{h})", d)
        if b.getState().contains(pyatspi.STATE_FOCUSED):
            fail(f"{b.name!r} has the focus: Enter would answer", d)
    for word in ("Not Now", "Deny"):
        button(d, word)
    press(button(d, "Not Now"))
    gone(a, TITLE, "the dialog after Not Now")
    label(a, "A request is waiting for your answer", "the banner")
    time.sleep(1.5)
    if TITLE in [f.name for f in find(a, "frame")]:
        fail("the dialog came back by itself after Not Now", a)
    press(wait(a, "the banner's Show button", "push button", "Show the waiting requests"))
    window(a, TITLE, "the dialog raised from the banner")


def locked(a, passphrase, number):
    d = window(a, TITLE, "the approval dialog")
    label(d, "Latchkey is locked", "the inline unlock")
    for b in numbers(d):
        if sensitive(b):
            fail(f"{b.name!r} can be picked while the vault is locked", d)
    if not sensitive(button(d, "Deny")):
        fail("Deny is not available while locked", d)
    type_into(wait(d, "the passphrase entry", "password text", "Passphrase"), passphrase)
    press(button(d, "Unlock"))
    pick = wait(d, f"Pick {number} to become available", "push button", f"Pick {number}", ok=sensitive)
    press(pick)
    gone(a, TITLE, "the dialog after the answer")


if __name__ == "__main__":
    {"check": check, "locked": locked}[sys.argv[1]](*([__import__("atspi").app()] + sys.argv[2:]))
    print(f"ok: {sys.argv[1]}")
