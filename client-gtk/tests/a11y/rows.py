"""The account list as a screen reader reads it (issue 15): each row and button named after its
account, the reveal button a toggle, a hidden code and the countdown read as words, an account
without an issuer headed by its name. Prints the revealed code for the caller to check.

  rows.py read
"""

import sys

import pyatspi

from atspi import app, fail, find, label, press, text_of, wait

WHO = "GitHub (alice)"


def pressed(node):
    st = node.getState()
    return st.contains(pyatspi.STATE_PRESSED) or st.contains(pyatspi.STATE_CHECKED)


def read(a):
    wait(a, "GitHub's list item", "list item", WHO)
    wait(a, "the copy button", "push button", f"Copy the code for {WHO}")
    # GTK 4.8 gives a toggle button the push-button role; what makes it a toggle is its
    # pressed state, which follows the code being shown.
    toggle = wait(a, "the reveal toggle", name=f"Show the code for {WHO}",
                  ok=lambda n: n.getRoleName() in ("toggle button", "push button"))
    if pressed(toggle):
        fail("the code shows although codes are hidden", a)
    wait(a, "the hidden code read as words", "label", "Code hidden")
    if find(a, "label", "GtkLabel"):
        fail("an empty label reads as 'GtkLabel'", a)
    press(toggle)
    wait(a, "the toggle pressed", name=f"Show the code for {WHO}", ok=pressed)
    code = wait(a, "the code read out", "label", ok=lambda n: (n.name or "").startswith("Code ") and n.name != "Code hidden" and n.name != "Code loading")
    wait(a, "the countdown read as words", "label", ok=lambda n: (n.name or "").endswith(" seconds left"))
    # The counter-based account has no issuer: its name heads the row.
    wait(a, "the issuer-less row", "list item", "root")
    press(wait(a, "root's reveal toggle", name="Show the code for root"))
    label(a, "Copy for a code", "the HOTP hint")
    wait(a, "the HOTP hint read out", "label", "No code yet: copying makes the next one")
    print("CODE " + code.name[len("Code "):].replace(" ", ""))


if __name__ == "__main__":
    {"read": read}[sys.argv[1]](app())
