"""The consent dialog as a person meets it (issue 15): it names the account asked for and who
asks; closing it is "Not Now" and is not remembered; "Always Deny" is.

  consent.py not-now      the dialog names GitHub (alice); press Not Now
  consent.py always-deny  the dialog is back (nothing was remembered); press Always Deny
"""

import sys

from atspi import app, fail, find, label, press, response


def dialog_for(a):
    text = label(a, "wants the code for GitHub (alice)", "the consent dialog naming the account")
    if "/usr/bin/dbus-send" not in (text.name or ""):
        fail("the dialog does not say which program asks", a)
    for word in ("Allow Once", "Always Allow", "Always Deny", "Not Now"):
        response(a, word)
    return text


def not_now(a):
    dialog_for(a)
    press(response(a, "Not Now"))


def always_deny(a):
    dialog_for(a)
    press(response(a, "Always Deny"))


if __name__ == "__main__":
    {"not-now": not_now, "always-deny": always_deny}[sys.argv[1]](app())
    print(f"ok: {sys.argv[1]}")
