"""Drives latchkey-gtk the way a person with a screen reader does: through the accessibility
tree (AT-SPI), finding widgets by role and accessible name, pressing them through their
actions and typing through their editable text. A widget that has no name cannot be found,
so these tests also prove the names.

Needs Debian's python3-pyatspi; run with /usr/bin/python3 (a pyenv python lacks it).
"""

import os
import sys
import time

import pyatspi

TIMEOUT = float(os.environ.get("LATCHKEY_A11Y_TIMEOUT", "20"))


def fail(message, root=None):
    print(f"FAIL: {message}", file=sys.stderr)
    if root is not None:
        print("accessible tree:", file=sys.stderr)
        dump(root, out=sys.stderr)
    sys.exit(1)


def app(name="org.latchkey.Latchkey"):
    """The application's accessible, once it has registered."""
    deadline = time.time() + TIMEOUT
    while time.time() < deadline:
        desktop = pyatspi.Registry.getDesktop(0)
        for i in range(desktop.childCount):
            child = desktop.getChildAtIndex(i)
            if child is not None and child.name == name:
                return child
        time.sleep(0.2)
    fail(f"{name} never appeared in the accessibility tree")


def nodes(root):
    """Every accessible under `root`, depth first."""
    stack = [root]
    while stack:
        node = stack.pop()
        try:
            count = node.childCount
        except Exception:
            continue
        for i in reversed(range(count)):
            child = node.getChildAtIndex(i)
            if child is not None:
                yield child
                stack.append(child)


def role(node):
    return node.getRoleName()


def find(root, role_name=None, name=None, contains=None):
    """Accessibles with this role and exact name (or a name containing `contains`)."""
    found = []
    for node in nodes(root):
        try:
            if role_name is not None and role(node) != role_name:
                continue
            n = node.name or ""
            if name is not None and n != name:
                continue
            if contains is not None and contains not in n:
                continue
            found.append(node)
        except Exception:
            continue
    return found


def response(root, word):
    """A message dialog's response button. libadwaita 1.2 names them twice ("Not Now Not Now")
    under GTK 4.8; that name is accepted here and nowhere else."""
    deadline = time.time() + TIMEOUT
    while time.time() < deadline:
        for node in find(root, "push button"):
            if node.name in (word, f"{word} {word}"):
                return node
        time.sleep(0.1)
    fail(f"timed out waiting for the {word} response", root)


def wait(root, what, role_name=None, name=None, contains=None, ok=None):
    """The first accessible matching, once one exists (and `ok(node)` holds)."""
    deadline = time.time() + TIMEOUT
    while time.time() < deadline:
        for node in find(root, role_name, name, contains):
            if ok is None or ok(node):
                return node
        time.sleep(0.1)
    fail(f"timed out waiting for {what}", root)


def text_of(node):
    """A label's or text's text."""
    try:
        t = node.queryText()
        return t.getText(0, t.characterCount)
    except NotImplementedError:
        return node.name or ""


def label(root, contains, what=None):
    """A label whose text contains `contains` (a label removed while it is read, as a page
    refreshing removes its rows, is passed over)."""
    deadline = time.time() + TIMEOUT
    while time.time() < deadline:
        for node in find(root, "label"):
            try:
                if contains in text_of(node):
                    return node
            except Exception:
                continue
        time.sleep(0.1)
    fail(f"timed out waiting for {what or repr(contains)}", root)


def has_label(root, contains):
    return any(contains in text_of(n) for n in find(root, "label"))


def sensitive(node):
    return node.getState().contains(pyatspi.STATE_SENSITIVE)


def checked(node):
    return node.getState().contains(pyatspi.STATE_CHECKED)


def press(node):
    """Presses a button (its first action, as a click does)."""
    if not sensitive(node):
        fail(f"{role(node)} {node.name!r} is not sensitive")
    node.queryAction().doAction(0)


def press_for(application, find_button, title, what):
    """Presses the button `find_button()` finds until the window `title` opens, as a person
    clicks again when nothing happened: GTK drops a click on a button that is unrealized
    within its 250 ms activation (a page that rebuilds its rows, a tab not yet drawn), which
    happens under load. A click that worked opens the window within seconds, so it is never
    pressed twice for one window."""
    deadline = time.time() + TIMEOUT
    tries = 0
    while time.time() < deadline:
        if tries:
            print(f"{what} did not open: pressed again", file=sys.stderr)
        tries += 1
        press(find_button())
        opened = time.time() + 5
        while time.time() < opened:
            if title in frame_names(application):
                return
            time.sleep(0.1)
    fail(f"timed out waiting for {what}", application)


def type_into(node, text):
    """Replaces the text of an entry, as typing it does."""
    node.queryEditableText().setTextContents(text)


def frames(application):
    """The application's windows and dialogs (a window closing meanwhile is left out)."""
    found = []
    for i in range(application.childCount):
        try:
            child = application.getChildAtIndex(i)
            if child is not None and child.name is not None:
                found.append(child)
        except Exception:
            continue
    return found


def frame_names(application):
    """The names of the application's windows, read safely while windows come and go."""
    names = []
    for f in frames(application):
        try:
            names.append(f.name)
        except Exception:
            continue
    return names


def dump(root, depth=0, out=sys.stdout):
    for i in range(root.childCount):
        child = root.getChildAtIndex(i)
        if child is None:
            continue
        try:
            states = []
            st = child.getState()
            for s, word in ((pyatspi.STATE_SENSITIVE, "sensitive"), (pyatspi.STATE_CHECKED, "checked"), (pyatspi.STATE_FOCUSED, "focused")):
                if st.contains(s):
                    states.append(word)
            print("  " * depth + f"[{role(child)}] {child.name!r} {text_of(child)[:60]!r} {' '.join(states)}", file=out)
        except Exception:
            continue
        dump(child, depth + 1, out)



def escape():
    """Presses Escape, as a keyboard does (XTest through AT-SPI), on the focused window."""
    pyatspi.Registry.generateKeyboardEvent(0xFF1B, None, pyatspi.KEY_SYM)


def ctrl(keysym):
    """Presses Ctrl+`keysym` (Control_L is keycode 37 in Xvfb's default keymap)."""
    pyatspi.Registry.generateKeyboardEvent(37, None, pyatspi.KEY_PRESS)
    pyatspi.Registry.generateKeyboardEvent(keysym, None, pyatspi.KEY_SYM)
    pyatspi.Registry.generateKeyboardEvent(37, None, pyatspi.KEY_RELEASE)


def window(application, name, what=None):
    """The application's window or dialog called `name`, once it is open."""
    deadline = time.time() + TIMEOUT
    while time.time() < deadline:
        for f in frames(application):
            try:
                if f.name == name:
                    return f
            except Exception:
                continue
        time.sleep(0.1)
    fail(f"timed out waiting for {what or name}", application)


def click(node):
    """Clicks the middle of `node` with the pointer (XTest through AT-SPI), as a person does."""
    x, y, w, h = node.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
    pyatspi.Registry.generateMouseEvent(x + w // 2, y + h // 2, "b1c")


def button(root, *names, what=None):
    """The first push button called one of `names` (a GTK 4.8 dialog's own buttons may be named
    twice, "Open Open": that name counts too)."""
    accepted = set(names) | {f"{n} {n}" for n in names}
    deadline = time.time() + TIMEOUT
    while time.time() < deadline:
        for node in find(root, "push button"):
            if node.name in accepted and sensitive(node):
                return node
        time.sleep(0.1)
    fail(f"timed out waiting for {what or names[0]}", root)


def choose_file(application, title, path):
    """Answers the file chooser called `title` with `path`, typed into its location entry as a
    person types a path, then Open or Save."""
    chooser = window(application, title, f"the file chooser {title!r}")
    time.sleep(0.5)
    names = find(chooser, "text", "Name:")
    if names:
        # A Save chooser: the name entry takes a whole path.
        entry = names[0]
    else:
        # Ctrl+L shows an Open chooser's location entry.
        ctrl(0x6C)
        entry = wait(chooser, "the chooser's location entry", "text", "GtkFileChooserEntry")
    type_into(entry, path)
    time.sleep(0.3)
    press(button(chooser, "Open", "Save", "Select", what="the chooser's Open, Save or Select button"))
    deadline = time.time() + TIMEOUT
    while title in frame_names(application):
        if time.time() > deadline:
            fail(f"the file chooser {title!r} did not close", application)
        time.sleep(0.1)


def gone(application, name, what=None):
    """Waits until the window called `name` has closed."""
    deadline = time.time() + TIMEOUT
    while name in frame_names(application):
        if time.time() > deadline:
            fail(f"{what or name} did not close", application)
        time.sleep(0.1)


def no_unnamed_labels(root, what):
    """Fails if a label under `root` would be read as "GtkLabel" (an empty label a screen
    reader names by its class)."""
    unnamed = find(root, "label", "GtkLabel")
    if unnamed:
        fail(f"{what} has {len(unnamed)} label(s) read as 'GtkLabel'", root)
