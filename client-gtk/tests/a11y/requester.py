"""A third-party app asking the user to approve a sign-in, with dbus-python: it titles itself
like Latchkey to try and pass for it, asks for number matching, prints the number it must show,
then waits (up to 90 s) for the outcome and prints it.

  requester.py TITLE
"""

import sys

import dbus
import dbus.mainloop.glib
from gi.repository import GLib

dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
bus = dbus.SessionBus()
approvals = dbus.Interface(
    bus.get_object("org.latchkey.Latchkey1", "/org/latchkey/Latchkey1"),
    "org.latchkey.Latchkey1.Approvals",
)
loop = GLib.MainLoop()


def done(result, details):
    print(f"RESULT {result}", flush=True)
    loop.quit()


path, number = approvals.RequestApproval(
    sys.argv[1],
    "Confirm to keep your account",
    dbus.Dictionary({"number_matching": True, "timeout": dbus.UInt32(90)}, signature="sv"),
)
bus.add_signal_receiver(done, "Response", "org.latchkey.Latchkey1.Request", path=path)
print(f"NUMBER {int(number):02d}", flush=True)
GLib.timeout_add_seconds(95, loop.quit)
loop.run()
