"""The Devices page as a person uses it (issue 16, in the app): sync turned on with the folder
chosen in the file chooser, another computer invited with the code the page shows, and then
forgotten.

  devices.py enable FOLDER NAME   Preferences, Devices, Turn On…: folder, name
  devices.py invite               Invite…: prints "CODE <code>" as the page shows it
  devices.py forget NAME          the computer NAME is listed; Forget… and confirm
"""

import sys
import time

from atspi import (
    button, choose_file, fail, find, gone, label, press, response, text_of, type_into, wait,
    window,
)


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
    press(wait(p, "Turn On…", "push button", contains="Turn On Sync"))
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


if __name__ == "__main__":
    app = __import__("atspi").app()
    {"enable": enable, "invite": invite, "forget": forget}[sys.argv[1]](app, *sys.argv[2:])
    print(f"ok: {sys.argv[1]}")
