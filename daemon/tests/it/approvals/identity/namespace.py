# Builds a user + mount namespace as any unprivileged process can, then runs attack.py in it.
# namespace.py probe | bind TARGET ARGS... | flatpak ROOT SHARED APP_ID ARGS...
#   bind: mounts python over TARGET (Latchkey's own client) and runs it as TARGET.
#   flatpak: a read-only tmpfs root with /.flatpak-info naming APP_ID, /usr and /etc bound in,
#            SHARED (the test's directory: bus socket, scripts) at the same path; chroot there.
import ctypes, os, sys

libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
CLONE_NEWUSER, CLONE_NEWNS = 0x10000000, 0x00020000
MS_RDONLY, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 32, 4096, 16384, 1 << 18
PYTHON = os.path.realpath("/usr/bin/python3")

def mount(src, dst, fstype, flags):
    enc = lambda s: s.encode() if s is not None else None
    if libc.mount(enc(src), enc(dst), enc(fstype), flags, None) != 0:
        sys.exit("mount %s: %s" % (dst, os.strerror(ctypes.get_errno())))

uid, gid = os.getuid(), os.getgid()
if libc.unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0:
    print("unshare(CLONE_NEWUSER|CLONE_NEWNS) refused: %s" % os.strerror(ctypes.get_errno()))
    sys.exit(77)
# Map our uid to itself, so the bus sees (and authenticates) the same user.
with open("/proc/self/setgroups", "w") as f:
    f.write("deny")
with open("/proc/self/uid_map", "w") as f:
    f.write("%d %d 1" % (uid, uid))
with open("/proc/self/gid_map", "w") as f:
    f.write("%d %d 1" % (gid, gid))
mount(None, "/", None, MS_REC | MS_PRIVATE)
mode = sys.argv[1]
if mode == "probe":
    sys.exit(0)
if mode == "bind":
    target, args = sys.argv[2], sys.argv[3:]
    mount(PYTHON, target, None, MS_BIND)
    os.environ["PYTHONHOME"] = "/usr"
    os.execv(target, [target] + args)
if mode == "flatpak":
    root, shared, app_id, args = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
    mount("tmpfs", root, "tmpfs", 0)
    for d in ["usr", "etc", "proc", "tmp", shared.lstrip("/")]:
        os.makedirs(os.path.join(root, d), exist_ok=True)
    for link in ["bin", "lib", "lib64", "sbin"]:
        os.symlink("usr/" + link, os.path.join(root, link))
    with open(os.path.join(root, ".flatpak-info"), "w") as f:
        f.write("[Application]\nname=%s\nruntime=runtime/org.freedesktop.Platform/x86_64/23.08\n" % app_id)
    for d in ["/usr", "/etc"]:
        mount(d, root + d, None, MS_BIND | MS_REC)
    mount(shared, root + shared, None, MS_BIND)
    # As the real sandbox: the root with .flatpak-info is read-only.
    mount(None, root, None, MS_REMOUNT | MS_BIND | MS_RDONLY)
    os.chroot(root)
    os.chdir("/")
    os.execv(PYTHON, [PYTHON] + args)
sys.exit("unknown mode " + mode)
