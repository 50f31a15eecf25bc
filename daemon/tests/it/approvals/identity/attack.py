# A same-user app that is not one of Latchkey's clients, attacking with dbus-python.
# attack.py ADDRESS OUT MODE ATTEMPT...; MODE is direct, nondumpable or exec:LATCHKEY.
# Results go to OUT, one line per attempt: "OK ..." or "ERR <error name> <message>".
import ctypes, os, sys, time
import dbus

address, out, mode, attempts = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
NAME, PATH, API = "org.latchkey.Latchkey1", "/org/latchkey/Latchkey1", "org.latchkey.Latchkey1"

def attempt(bus, what):
    obj = bus.get_object(NAME, PATH, introspect=False)
    props = dbus.Interface(obj, "org.freedesktop.DBus.Properties")
    try:
        if what == "consent-off":
            props.Set(API + ".Settings", "RequireAppConsent", dbus.Boolean(False, variant_level=1), timeout=20)
        elif what == "autolock-off":
            props.Set(API + ".Settings", "AutoLockTimeout", dbus.UInt32(0, variant_level=1), timeout=20)
        elif what == "grant":
            dbus.Interface(obj, API + ".Access").Grant("exe:/usr/bin/python3.11", "", timeout=20)
        elif what.startswith("code:"):
            code = dbus.Interface(obj, API + ".Vault").GetCode(what[5:], timeout=60)
            return "OK code " + str(code[0])
        return "OK"
    except dbus.DBusException as e:
        return "ERR %s %s" % (e.get_dbus_name(), e.get_dbus_message())

def report(bus):
    lines = [attempt(bus, a) for a in attempts]
    with open(out + ".tmp", "w") as f:
        f.write("\n".join(lines) + "\n")
    os.rename(out + ".tmp", out)

if mode == "nondumpable":
    PR_SET_DUMPABLE = 4
    if ctypes.CDLL(None).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        sys.exit("prctl failed")
bus = dbus.bus.BusConnection(address)
if mode.startswith("exec:"):
    # No call yet: the daemon must have seen this process (python) when the connection appeared.
    time.sleep(1.0)
    if os.fork() != 0:
        # The PID the bus knows for this connection becomes Latchkey's own CLI...
        latchkey = mode[5:]
        os.execv(latchkey, [latchkey, "approvals", "watch"])
    # ...while this child keeps the connection and speaks on it.
    time.sleep(1.5)
    report(bus)
    os._exit(0)
report(bus)
