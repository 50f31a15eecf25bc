"""First run in the app, as a new user meets it (issue 15): no service, then no vault.

  first_run.py unreachable   the service does not answer: a page in words, with Try Again
  first_run.py create        Try Again; create the vault (passphrase twice, strength hint,
                             the warning); keyring unlock and a first account are offered

Exit 0 when every step holds; otherwise the failing step and the accessible tree.
"""

import sys
import time

from atspi import (
    app,
    escape,
    fail,
    find,
    frames,
    has_label,
    label,
    press,
    sensitive,
    type_into,
    wait,
)

PASSPHRASE = "correct horse battery staple"


def unreachable(a):
    label(a, "did not answer", "the page saying the service did not answer")
    wait(a, "the Try Again button", "push button", "Try Again")
    if has_label(a, "latchkey init"):
        fail("the page sends a desktop user to a terminal", a)
    add = wait(a, "the Add account button", "push button", "Add account")
    if sensitive(add):
        fail("Add account (Ctrl+N) is available with no service", a)


def create(a):
    # The window retries by itself every 2 s; Try Again retries at once, if it is still shown.
    for retry in find(a, "push button", "Try Again"):
        press(retry)
    first = wait(a, "the new passphrase entry", "password text", "New passphrase")
    again = wait(a, "the repeat entry", "password text", "Repeat the passphrase")
    button = wait(a, "the Create Vault button", "push button", "Create Vault")
    label(a, "Nobody can recover a forgotten passphrase", "the warning")
    if has_label(a, "latchkey init"):
        fail("the page sends a desktop user to a terminal", a)
    add = wait(a, "the Add account button", "push button", "Add account")
    if sensitive(add):
        fail("Add account (Ctrl+N) is available before there is a vault", a)
    if sensitive(button):
        fail("Create Vault is available with no passphrase", a)
    type_into(first, "short")
    type_into(again, "short")
    label(a, "at least 8 characters", "the length hint")
    if sensitive(button):
        fail("Create Vault accepts a 5-character passphrase", a)
    type_into(first, PASSPHRASE)
    type_into(again, PASSPHRASE + "!")
    label(a, "differ", "the mismatch hint")
    if sensitive(button):
        fail("Create Vault accepts two different passphrases", a)
    type_into(again, PASSPHRASE)
    label(a, "Strong", "the strength hint")
    wait(a, "Create Vault to become available", "push button", "Create Vault", ok=sensitive)
    press(button)

    label(a, "Your Vault Is Ready", "the next step")
    offer = wait(a, "the keyring offer", "check box", contains="login keyring")
    if offer.name != "Unlock with the login keyring":
        fail(f"the keyring switch reads {offer.name!r}", a)
    press(wait(a, "the Add an Account button", "push button", "Add an Account"))
    dialog = None
    for _ in range(200):
        dialog = next((f for f in frames(a) if f.name == "Add Account"), None)
        if dialog is not None:
            break
        time.sleep(0.1)
    if dialog is None:
        fail("Add an Account opened no Add Account window", a)
    # Escape closes it, as it closes every secondary window.
    escape()
    for _ in range(100):
        if not any(f.name == "Add Account" for f in frames(a)):
            break
        time.sleep(0.1)
    else:
        fail("Escape did not close the Add Account window", a)
    press(wait(a, "Go to My Accounts", "push button", "Go to My Accounts"))
    wait(a, "Add account to become available", "push button", "Add account", ok=sensitive)


if __name__ == "__main__":
    step = {"unreachable": unreachable, "create": create}[sys.argv[1]]
    step(app())
    print(f"ok: {sys.argv[1]}")
