"""The Devices page as a person uses it (issue 16, in the app): sync turned on with the folder
chosen in the file chooser, another computer invited with the code the page shows, and then
forgotten; joining another computer with its code; following a phone's Aegis backups.

  devices.py enable FOLDER NAME   Preferences, Devices, Turn On…: folder, name
  devices.py invite               Invite…: prints "CODE <code>" as the page shows it
  devices.py forget NAME          the computer NAME is listed; Forget… and confirm
  devices.py join ROW FOLDER NAME CODE SAYS [CODE SAYS ...]
                                  the row ROW's Join…: folder, name, then each code in the same
                                  form: a refusal is said in the form, which stays open with the
                                  code kept; after the last the form closes and the page says SAYS
  devices.py says TEXT            the page says TEXT
  devices.py account NAME         the account NAME appears in the accounts list
  devices.py follow FOLDER WRONG PASSWORD
                                  Follow…: folder, then the Aegis password WRONG (refused in
                                  words, nothing followed), then PASSWORD; prints "ACCOUNTS ..."
                                  once the backup's four accounts are listed
"""

import sys

from atspi import (
    button, choose_file, fail, find, frame_names, gone, label, press, press_for, response,
    text_of, type_into, wait, window,
)
from journey import accounts, prompt, wait_accounts


def devices(a):
    """The Devices page of Preferences, opened from the primary menu."""
    if "Preferences" not in [f.name for f in find(a, "frame")]:
        press(find(a, "push button", "Main menu")[-1])
        wait(a, "Preferences in the menu", "menu item", "Preferences").queryAction().doAction(0)
    p = window(a, "Preferences")
    # GTK 4.8 reports wrong positions in secondary windows: the tab is pressed by its action.
    wait(p, "the Devices tab", "page tab", "Devices").queryAction().doAction(0)
    return p


def enable(a, folder, name):
    p = devices(a)
    press_for(a, lambda: wait(p, "Turn On…", "push button", contains="Turn On Sync"),
              "Choose the Shared Folder", "the file chooser")
    choose_file(a, "Choose the Shared Folder", folder)
    f = window(a, "Turn On Sync")
    type_into(wait(f, "the name entry", "text", "This computer's name"), name)
    press(button(f, "Turn On"))
    gone(a, "Turn On Sync", "the form")
    label(p, folder.rstrip("/"), "the folder on the page")
    label(p, name, "this computer's name on the page")


def invite(a):
    p = devices(a)
    press(wait(p, "Invite…", "push button", contains="Invite a Computer"))
    w = window(a, "Invite a Computer")
    code = wait(w, "the code", "label", contains="Invite code ")
    wait(w, "the QR code", name="The invite code as a QR code")
    print("CODE " + code.name[len("Invite code "):])
    press(find(w, "push button", "Close")[0]) if find(w, "push button", "Close") else None
    gone(a, "Invite a Computer", "the invite window")


def forget(a, name):
    p = devices(a)
    press(wait(p, f"Forget {name}", "push button", f"Forget {name}"))
    press(response(a, "Forget"))
    label(p, "Forgotten", f"{name} listed as forgotten")


def join(a, row, folder, name, *attempts):
    """The row's Join…, the folder, then each CODE SAYS pair typed into the same form: a refusal
    is said in the form, which stays open with the code as typed (to correct); the last pair is
    the one that joins, after which the page says SAYS."""
    p = devices(a)
    press_for(a, lambda: wait(p, "Join…", "push button", contains=row),
              "Choose the Shared Folder", "the file chooser")
    choose_file(a, "Choose the Shared Folder", folder)
    f = window(a, "Join Your Other Computers")
    type_into(wait(f, "the name entry", "text", "This computer's name"), name)
    pairs = list(zip(attempts[::2], attempts[1::2]))
    for i, (code, says) in enumerate(pairs):
        entry = wait(f, "the code entry", "text", "Invite code")
        type_into(entry, code)
        press(button(f, "Join"))
        if i + 1 < len(pairs):
            label(f, says, f"the form saying {says!r}")
            if text_of(entry) != code:
                fail("the refused code was not kept in the form", f)
            if "Join Your Other Computers" not in frame_names(a):
                fail("the form closed on a refusal", a)
            continue
        gone(a, "Join Your Other Computers", "the form")
        label(p, says, f"the page saying {says!r}")
    label(p, folder.rstrip("/"), "the folder on the page")
    label(p, name, "this computer's name on the page")


def says(a, text):
    """The Devices page says `text` (its status)."""
    label(devices(a), text, f"the page saying {text!r}")


def account(a, name):
    wait(a, f"{name} in the accounts list", "list item", name)


def follow(a, folder, wrong, password):
    p = devices(a)
    before = len(accounts(a))
    press_for(a, lambda: wait(p, "Follow…", "push button", contains="Follow Aegis Backups"),
              "Choose the Folder of Aegis Backups", "the file chooser")
    choose_file(a, "Choose the Folder of Aegis Backups", folder)
    f = prompt(a, "Follow Aegis Backups", "Aegis password")
    type_into(wait(f, "the password entry", "password text", "Aegis password"), wrong)
    press(button(f, "Follow"))
    label(f, "Wrong passphrase", "a wrong password refused in words")
    if len(accounts(a)) != before or find(p, "push button", contains="Stop Following"):
        fail("a wrong password followed the backups", a)
    type_into(wait(f, "the password entry", "password text", "Aegis password"), password)
    press(button(f, "Follow"))
    gone(a, "Follow Aegis Backups", "the password prompt")
    label(p, folder.rstrip("/"), "the followed folder on the page")
    print("ACCOUNTS " + ", ".join(sorted(wait_accounts(a, before + 4))))


if __name__ == "__main__":
    app = __import__("atspi").app()
    steps = {"enable": enable, "invite": invite, "forget": forget, "join": join,
             "says": says, "account": account, "follow": follow}
    steps[sys.argv[1]](app, *sys.argv[2:])
    print(f"ok: {sys.argv[1]}")
