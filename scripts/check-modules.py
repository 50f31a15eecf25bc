#!/usr/bin/env python3
"""Fails if a crate's modules import each other in a circle.

For each crate given (default: core and daemon), every `.rs` file under src/ is a module; a
reference `crate::a::b`, `super::x` or `use super::{x, y}` is an edge from the file's module to
the module it names. Edges are compared at each nesting level between siblings (`bus::vault` and
`bus::approvals`, `state` and `backup`): a module and its own descendants may use each other
(that is how a `mod.rs` re-exports its parts), but two siblings, directly or through others,
may not both depend on each other. Prints every circle found; exit 1 if there is one, unless
it is listed in KNOWN (debt with an issue, to be removed, never added to).
"""

import os
import re
import sys

# Circles still to untangle (issue 14): push shows its challenges through the bus's approval hub.
KNOWN: set = set()

REF = re.compile(r"\b(crate|super)((?:::[A-Za-z_][A-Za-z0-9_]*)+|::\{[^}]*\})")


def modules(src):
    """Maps each module path (tuple) to its file's text, without comments."""
    out = {}
    for root, _, files in os.walk(src):
        for f in files:
            if not f.endswith(".rs"):
                continue
            path = os.path.relpath(os.path.join(root, f), src)
            parts = path[:-3].split(os.sep)
            if parts[-1] in ("mod", "lib", "main"):
                parts = parts[:-1]
            text = open(os.path.join(root, f), encoding="utf-8").read()
            text = re.sub(r"//[^\n]*", "", text)
            out[tuple(parts)] = text
    return out


def targets(module, text, known):
    """The module paths `module` refers to."""
    found = set()
    for base, rest in REF.findall(text):
        if base == "crate":
            start = ()
        else:
            # `super` in a mod.rs file is the module's parent; in a leaf file, its parent too.
            start = module[:-1]
        names = []
        if rest.startswith("::{"):
            names = [n.strip().split("::")[0] for n in rest[3:-1].split(",") if n.strip()]
            paths = [start + (n,) for n in names if n not in ("self", "super", "crate")]
        else:
            segs = rest[2:].split("::")
            paths = [start + tuple(segs)]
        for p in paths:
            # The longest prefix that is a module.
            while p and p not in known:
                p = p[:-1]
            if p:
                found.add(p)
    return found


def circles(edges):
    """Strongly connected components with more than one node (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in list(edges):
        if v not in index:
            visit(v)
    return out


def check(crate):
    src = os.path.join(crate, "src")
    mods = modules(src)
    known = set(mods)
    edges = {}
    for m, text in mods.items():
        for t in targets(m, text, known):
            # Compare at the level where the two paths part: the siblings under their common parent.
            common = 0
            while common < min(len(m), len(t)) and m[common] == t[common]:
                common += 1
            if common == len(m) or common == len(t):
                continue  # one is the other's ancestor
            a, b = m[: common + 1], t[: common + 1]
            edges.setdefault(a, set()).add(b)
    found = [c for c in circles(edges) if (crate, frozenset(c)) not in KNOWN]
    for comp in found:
        names = ", ".join("::".join(c) for c in comp)
        print(f"{crate}: modules in a circle: {names}")
        for a in comp:
            for b in sorted(edges.get(a, ())):
                if b in comp:
                    print(f"    {'::'.join(a)} -> {'::'.join(b)}")
    return not found


def main():
    crates = sys.argv[1:] or ["core", "daemon"]
    ok = all([check(c) for c in crates])
    if ok:
        print(f"modules: no circles in {', '.join(crates)}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
