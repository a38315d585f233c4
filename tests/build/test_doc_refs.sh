#!/usr/bin/env bash
# test_doc_refs.sh: no file in the repository points outside it (../shared, DESIGN.md) or to issue
# numbers, and every "docs/ARCHITECTURE.md §N" cited anywhere names a section that exists.
source "$(dirname "$0")/../lib.sh"
cd "$TOP"
files=$(git ls-files | grep -v '^tests/build/test_doc_refs.sh$')
hits=$(grep -n -E '\.\./shared|DESIGN\.md|(^|[^A-Za-z])[Ii]ssues? [0-9]' $files || true)
[ -z "$hits" ] || fail "references outside the repository or to issue numbers:
$hits"
pass "no file points outside the repository or to an issue number"

arch=docs/ARCHITECTURE.md
[ -f "$arch" ] || fail "$arch is missing"
sections=$(sed -n -E 's/^## ([0-9]+)\..*/\1/p' "$arch" | sort -n | tr '\n' ' ')
[ -n "$sections" ] || fail "$arch has no numbered sections (## N. Title)"
cited=$(grep -o -h -E 'ARCHITECTURE\.md §[0-9]+' $files | sed 's/.*§//' | sort -un)
[ -n "$cited" ] || fail "nothing cites $arch"
for n in $cited; do
	case " $sections" in *" $n "*) ;; *) fail "docs/ARCHITECTURE.md §$n is cited but has no section (sections: $sections)" ;; esac
done
pass "every cited section of $arch exists ($(echo $cited | wc -w) cited, sections: $sections)"
