"""A new user's whole journey in the app, with no terminal (issue 15), driven through the
accessibility tree and the keyboard as a person does; file choosers are answered by typing a path.

  journey.py create PASSPHRASE EXPORT PASSWORD
        create the vault on the first-run page, then "Import From Another App…": choose the
        encrypted export, give a wrong password (refused in words), then the right one, see the
        preview, import; go to the accounts
  journey.py codes            reveal every time-based row; print "CODE <account> <code>"
  journey.py copy ACCOUNT     press the account's copy button
  journey.py qr IMAGE ACCOUNT add an account from a QR code image through the file chooser
  journey.py export FILE PASSPHRASE
                              export a Latchkey backup through the save chooser and the prompt
  journey.py paste COUNT      Import… and Paste Links: the clipboard's otpauth-migration://
                              links: COUNT to add and one already there in the preview
  journey.py restore FILE PASSPHRASE ACCOUNTS
                              on a fresh profile: "Restore From a Backup…", the prompt, and
                              the accounts list holds ACCOUNTS list items

Exit 0 when every step holds; otherwise the failing step and the accessible tree.
"""

import sys
import time

from atspi import (
    app,
    button,
    choose_file,
    fail,
    find,
    frames,
    gone,
    label,
    no_unnamed_labels,
    press,
    sensitive,
    text_of,
    type_into,
    wait,
    window,
)


def prompt(a, title, entry):
    """The open prompt window called `title` that has the password entry `entry`."""
    deadline = time.time() + 20
    while time.time() < deadline:
        for f in frames(a):
            try:
                if f.name == title and find(f, "password text", entry):
                    return f
            except Exception:
                continue
        time.sleep(0.1)
    fail(f"no {title!r} prompt asking for {entry!r}", a)


def accounts(a):
    """The names of the account list's items (rows of the list called "Accounts")."""
    lists = find(a, "list", "Accounts")
    if not lists:
        return []
    return [n.name for n in find(lists[0], "list item")]


def wait_accounts(a, count):
    deadline = time.time() + 20
    while time.time() < deadline:
        if len(accounts(a)) == count:
            return accounts(a)
        time.sleep(0.2)
    fail(f"the list never showed {count} accounts: {accounts(a)}", a)


def create(a, passphrase, export, password):
    type_into(wait(a, "the new passphrase entry", "password text", "New passphrase"), passphrase)
    type_into(wait(a, "the repeat entry", "password text", "Repeat the passphrase"), passphrase)
    press(wait(a, "Create Vault", "push button", "Create Vault", ok=sensitive))
    press(wait(a, "the import offer", "push button", "Import From Another App…"))
    dialog = window(a, "Import Accounts")
    no_unnamed_labels(dialog, "the import window")
    press(wait(dialog, "Choose File…", "push button", "Choose File…"))
    choose_file(a, "Choose an Export", export)
    entry = wait(dialog, "the export's password entry", "password text", "Export password")
    label(dialog, "exported it from Aegis", "the dialog naming the app")
    type_into(entry, password + " but wrong")
    press(wait(dialog, "Open Export", "push button", "Open Export", ok=sensitive))
    label(dialog, "Wrong password", "the wrong password refused in words")
    type_into(entry, password)
    press(wait(dialog, "Open Export", "push button", "Open Export", ok=sensitive))
    label(dialog, "4 accounts will be added", "the preview's summary")
    for name in ("GitHub (alice@example.com)", "Corp (bob)", "Bank (carol)", "Steam (dave)"):
        wait(dialog, f"{name} in the preview", "list item", name)
    label(dialog, "notes or groups", "what the format could not carry over")
    if accounts(a):
        fail(f"accounts were added before Import was pressed: {accounts(a)}", a)
    press(button(dialog, "Import 4 Accounts"))
    gone(a, "Import Accounts", "the import window")
    press(wait(a, "Go to My Accounts", "push button", "Go to My Accounts"))
    print("ACCOUNTS " + ", ".join(sorted(wait_accounts(a, 4))))


def codes(a):
    for name in ("GitHub (alice@example.com)", "Corp (bob)"):
        press(wait(a, f"{name}'s reveal toggle", name=f"Show the code for {name}"))
        item = wait(a, f"{name}'s row", "list item", name)
        code = wait(item, f"{name}'s code", "label",
                    ok=lambda n: (n.name or "").startswith("Code ") and n.name not in ("Code hidden", "Code loading"))
        print(f"CODE {name} {code.name[len('Code '):].replace(' ', '')}")


def copy(a, name):
    press(wait(a, f"{name}'s copy button", "push button", f"Copy the code for {name}"))
    label(a, f"{name.split(' (')[0]}: code copied", "the toast naming the account")


def qr(a, image, name):
    before = len(accounts(a))
    press(wait(a, "the Add account button", "push button", "Add account"))
    dialog = window(a, "Add Account")
    press(wait(dialog, "the QR image button", "push button", contains="Scan a QR Code Image"))
    choose_file(a, "Pick a QR Code Image", image)
    gone(a, "Add Account", "the Add Account window")
    wait(a, f"{name} in the list", "list item", name)
    wait_accounts(a, before + 1)


def export(a, file, passphrase):
    menu = find(a, "push button", "Main menu")
    press(menu[-1])
    item = wait(a, "the Export menu item", "menu item", "Export…")
    item.queryAction().doAction(0)
    dialog = window(a, "Export Accounts")
    label(dialog, "Latchkey backup (encrypted)", "the encrypted format chosen by default")
    press(button(dialog, "Export…"))
    choose_file(a, "Export To", file)
    no_unnamed_labels(dialog, "the export window")
    p = prompt(a, "Export Accounts", "Vault passphrase")
    no_unnamed_labels(p, "the passphrase prompt")
    type_into(wait(p, "the passphrase entry", "password text", "Vault passphrase"), passphrase + "x")
    press(button(p, "Export"))
    label(p, "Wrong passphrase", "a wrong passphrase refused in words")
    type_into(wait(p, "the passphrase entry", "password text", "Vault passphrase"), passphrase)
    press(button(p, "Export"))
    gone(a, "Export Accounts", "the export windows")
    label(a, "Exported to", "the toast")


def paste(a, count):
    """Import… then Paste Links: the clipboard's otpauth-migration:// links, previewed."""
    before = len(accounts(a))
    press(find(a, "push button", "Main menu")[-1])
    wait(a, "the Import menu item", "menu item", "Import…").queryAction().doAction(0)
    dialog = window(a, "Import Accounts")
    press(wait(dialog, "Paste Links", "push button", "Paste Links"))
    label(dialog, f"{count} accounts will be added", "the preview of the pasted links")
    label(dialog, "Already in Latchkey", "the link of an account the vault has, skipped")
    press(button(dialog, f"Import {count} Accounts"))
    gone(a, "Import Accounts", "the import window")
    wait_accounts(a, before + int(count))


def restore(a, file, passphrase, count):
    press(wait(a, "the restore offer", "push button", "Restore From a Backup…"))
    choose_file(a, "Choose a Backup", file)
    p = prompt(a, "Restore a Backup", "The backup's passphrase")
    type_into(wait(p, "the passphrase entry", "password text", "The backup's passphrase"), passphrase)
    press(button(p, "Restore"))
    gone(a, "Restore a Backup", "the restore prompt")
    print("ACCOUNTS " + ", ".join(sorted(wait_accounts(a, int(count)))))


if __name__ == "__main__":
    steps = {"create": create, "codes": codes, "copy": copy, "qr": qr, "export": export,
             "paste": paste, "restore": restore}
    steps[sys.argv[1]](app(), *sys.argv[2:])
    print(f"ok: {sys.argv[1]}")
