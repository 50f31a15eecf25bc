#!/usr/bin/env bash
# Regenerates the app's translation template, client-gtk/po/latchkey.pot, from its sources (the
# Rust strings in gettext/ngettext/n_ calls, the templates' translatable="yes" strings), and
# merges it into every translation listed in client-gtk/po/LINGUAS.
#   scripts/po.sh          update the template and the translations
#   scripts/po.sh --check  fail if the template is out of date or a translation is incomplete
# Needs Debian's gettext (xgettext, msgmerge, msgfmt, msgcmp).
set -euo pipefail
cd "$(dirname "$0")/../client-gtk"
check=false
[ "${1:-}" = "--check" ] && check=true
pot=$(mktemp --suffix=.pot)
mapfile -t rs < <(git ls-files 'src/*.rs' | sort)
mapfile -t ui < <(git ls-files 'src/*.ui' | sort)
# Rust is read as C: the calls and string literals look the same to xgettext 0.21, which has no
# Rust parser. Two things differ and are turned into their C equivalent in a copy first: a
# backslash at the end of a line inside a string skips the next line's indentation in Rust (C
# keeps it), and \u{...} escapes become the characters they stand for.
src=$(mktemp -d)
trap 'rm -rf "$pot" "$src"' EXIT
for f in "${rs[@]}"; do
    mkdir -p "$src/$(dirname "$f")"
    perl -CSD -0pe 's/\\\n[ \t]*//g; s/\\u\{([0-9a-fA-F]+)\}/chr(hex($1))/ge' "$f" >"$src/$f"
done
(cd "$src" && xgettext --from-code=UTF-8 --language=C --package-name=latchkey \
    --msgid-bugs-address= --add-comments=Translators --no-location --sort-output \
    --keyword= --keyword=gettext --keyword=ngettext:1,2 --keyword=n_ \
    -o "$pot" "${rs[@]}" 2>/dev/null)
xgettext --from-code=UTF-8 --language=Glade --join-existing --no-location --sort-output \
    -o "$pot" "${ui[@]}" 2> >(grep -v "fallback ITS rule" >&2)
# The creation date changes on every run; it is not part of what the check compares.
sed -i '/^"POT-Creation-Date:/d' "$pot"
if $check; then
    if ! diff -q <(grep -v '^#' po/latchkey.pot) <(grep -v '^#' "$pot") >/dev/null; then
        echo "po: client-gtk/po/latchkey.pot is out of date: run scripts/po.sh" >&2
        diff <(grep -v '^#' po/latchkey.pot) <(grep -v '^#' "$pot") | head -20 >&2
        exit 1
    fi
    status=0
    while read -r lang; do
        [ -z "$lang" ] || [ "${lang#\#}" != "$lang" ] && continue
        msgcmp "po/$lang.po" po/latchkey.pot || { echo "po: $lang lacks strings" >&2; status=1; }
        stats=$(msgfmt --check --statistics -o /dev/null "po/$lang.po" 2>&1)
        echo "po: $lang: $stats"
        case "$stats" in *fuzzy*|*untranslated*) echo "po: $lang is incomplete" >&2; status=1 ;; esac
    done < po/LINGUAS
    exit "$status"
fi
cp "$pot" po/latchkey.pot
while read -r lang; do
    [ -z "$lang" ] || [ "${lang#\#}" != "$lang" ] && continue
    msgmerge --quiet --update --backup=none --no-fuzzy-matching --sort-output "po/$lang.po" po/latchkey.pot
done < po/LINGUAS
echo "po: wrote client-gtk/po/latchkey.pot ($(grep -c '^msgid ' po/latchkey.pot) strings)"
