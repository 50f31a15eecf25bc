"""The service's settings in Preferences (issue 15): every setting the CLI has, a weakening
change confirmed first, nothing changeable while the vault is locked.

  prefs.py weaken   Ctrl+, opens Preferences; switching "Lock Before Suspend" off asks first;
                    "Keep It" keeps it on, "Change It" switches it off
  prefs.py locked   with the vault locked the rows say to unlock first and cannot be changed
"""

import sys

from atspi import app, checked, ctrl, fail, find, label, press, response, sensitive, wait, window

ROWS = [
    "Lock After Inactivity", "Lock With the Screen", "Lock Before Suspend",
    "Lock When the Session Is Idle", "Ask Before Other Apps Get Codes",
    "Approve Sign-Ins Only When Unlocked", "Check for Push Sign-Ins Every",
    "Back Up After Every Change", "Backup Folder", "Backups to Keep", "Log Level",
]


def open_prefs(a):
    ctrl(0x2C)  # comma
    p = window(a, "Preferences", "the Preferences window (Ctrl+,)")
    # The service's settings are on the Security page (the view switcher's tab).
    tabs = [n for n in find(p, name="Security") if n.getRoleName() != "label"]
    if not tabs:
        fail("no Security page to switch to", p)
    press(tabs[0])
    return p


def every_row(p):
    for title in ROWS:
        label(p, title, f"the {title!r} row")


def weaken(a):
    p = open_prefs(a)
    every_row(p)
    suspend = wait(p, "the Lock Before Suspend switch", "check box", "Lock Before Suspend")
    if not checked(suspend):
        fail("Lock Before Suspend is off by default", p)
    press(suspend)
    dialog = window(a, "Weaken a protection?", "the confirmation")
    label(dialog, "Stop locking the vault before suspend?", "the question")
    press(response(dialog, "Keep It"))
    wait(p, "the switch back on", "check box", "Lock Before Suspend", ok=checked)
    press(suspend)
    dialog = window(a, "Weaken a protection?", "the confirmation")
    press(response(dialog, "Change It"))
    wait(p, "the switch off", "check box", "Lock Before Suspend", ok=lambda n: not checked(n))


def locked(a):
    p = open_prefs(a)
    label(p, "Unlock Latchkey to change these settings", "the locked notice")
    suspend = wait(p, "the Lock Before Suspend switch", "check box", "Lock Before Suspend")
    if sensitive(suspend):
        fail("a service setting can be changed while the vault is locked", p)


if __name__ == "__main__":
    {"weaken": weaken, "locked": locked}[sys.argv[1]](app())
    print(f"ok: {sys.argv[1]}")
