"""Asks latchkey-gtk's desktop search as GNOME Shell and KRunner do (dbus-python), and prints
what it answered, one JSON object per line.

  search.py shell TERM...      GetInitialResultSet, GetResultMetas, ActivateResult (first hit)
  search.py krunner QUERY      Match, Run (first match)
  search.py find TERM...       GetInitialResultSet only
  search.py flood N TERM       N searches in a row: how many were answered with results
  search.py stranger ID        ActivateResult of an id this connection never searched for
"""

import json
import sys

import dbus

NAME = "org.latchkey.Latchkey"
bus = dbus.SessionBus()
shell = dbus.Interface(bus.get_object(NAME, "/org/latchkey/Latchkey/SearchProvider"),
                       "org.gnome.Shell.SearchProvider2")
krunner = dbus.Interface(bus.get_object(NAME, "/org/latchkey/Latchkey/KRunner"), "org.kde.krunner1")


def plain(v):
    """dbus-python values as JSON-able ones."""
    if isinstance(v, (dbus.Array, list, tuple, dbus.Struct)):
        return [plain(x) for x in v]
    if isinstance(v, (dbus.Dictionary, dict)):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, (dbus.String, str)):
        return str(v)
    if isinstance(v, (dbus.Double, float)):
        return float(v)
    return int(v)


def out(**kw):
    print(json.dumps(kw), flush=True)


step = sys.argv[1]
if step == "shell":
    terms = sys.argv[2:]
    ids = plain(shell.GetInitialResultSet(terms))
    metas = plain(shell.GetResultMetas(ids))
    out(ids=ids, metas=metas)
    if ids:
        shell.ActivateResult(ids[0], terms, dbus.UInt32(0))
        out(activated=ids[0])
elif step == "krunner":
    matches = plain(krunner.Match(sys.argv[2]))
    out(matches=matches)
    if matches:
        krunner.Run(matches[0][0], "")
        out(ran=matches[0][0])
elif step == "find":
    out(ids=plain(shell.GetInitialResultSet(sys.argv[2:])))
elif step == "flood":
    answered = sum(1 for _ in range(int(sys.argv[2])) if shell.GetInitialResultSet([sys.argv[3]]))
    out(answered=answered)
elif step == "stranger":
    try:
        shell.ActivateResult(sys.argv[2], ["x"], dbus.UInt32(0))
        out(refused=False)
    except dbus.DBusException as e:
        out(refused=True, error=e.get_dbus_message())
