#!/usr/bin/env bash
# Times `kiln recipe build` of packages/tree.yaml (tree 2.1.0: a C program, a plain Makefile) cold,
# warm and forced, against the same steps run directly on the host (the host's gcc and make, no
# sandbox, no packaging): kiln's overhead over the build itself.
#
#   kiln cold   : `kiln recipe build` with an empty store (the lock present): fetch the environment's
#                 63 packages, write its root, unpack the source, run the steps, write the .deb
#   kiln warm   : the same build again: the build key is in the store (a lookup)
#   kiln forced : `--rebuild` with the store warm: the steps and the packaging run, nothing is fetched
#   host        : the recipe's steps in a fresh directory on the host: untar, make, make install, strip
# Each is the median of N runs (kiln forced and host take turns); "overhead" is forced - host.
#
# Goals: warm = lookups (well under a second beyond `kiln --version`); overhead a small constant.
#
# Usage: bench/recipe-build.sh [-n N] [--keep]   Environment: KILN (default ./kiln),
#        DEBIAN_MIRROR (default: the host's apt sources)
set -euo pipefail
bench=$(cd "$(dirname "$0")" && pwd)
cd "$bench/.."

name=recipe-build n=3
. "$bench/args.sh" "$@"
for tool in gcc make strip; do command -v $tool >/dev/null || code=2 die "the host has no $tool (apt-get install build-essential)"; done
. "$bench/lib.sh"
export DEBIAN_MIRROR=$mirror

$kiln --version >/dev/null   # untimed: builds kiln if needed and records its class-data archive
mkdir -p "$tmp/packages"
cp packages/tree.yaml "$tmp/packages/"
recipe=$tmp/packages/tree.yaml
$kiln recipe lock --store "$tmp/lock-store" "$recipe" >/dev/null
uri=$(grep -o 'uri: .*' "$recipe" | sed 's/uri: //; s|\${DEBIAN_MIRROR}|'"$mirror"'|')
curl -fsS -o "$tmp/tree.tar.gz" "$uri"
cflags=$(sed -n 's/.*CFLAGS="\([^"]*\)".*/\1/p' "$recipe")

colds=(); warms=(); forced=(); hosts=()
for ((i = 0; i < n; i++)); do
  rm -rf "$tmp/store"
  run_us "$tmp/cold.log" $kiln recipe build -q --store "$tmp/store" "$recipe"; colds+=("$wall")
  run_us "$tmp/warm.log" $kiln recipe build -q --store "$tmp/store" "$recipe"; warms+=("$wall")
  grep -q '^found tree' "$tmp/warm.log" || die "the second build was not a lookup: $(cat "$tmp/warm.log")"
done
for ((i = 0; i < n; i++)); do
  run_us "$tmp/forced.log" $kiln recipe build -q --rebuild --store "$tmp/store" "$recipe"; forced+=("$wall")
  rm -rf "$tmp/host" && mkdir -p "$tmp/host/out"
  run_us "$tmp/host.log" sh -ec "cd '$tmp/host' && tar xzf '$tmp/tree.tar.gz' --strip-components=1 \
    && make CC=cc CFLAGS='$cflags' && make install DESTDIR='$tmp/host/out/usr/bin' MANDIR='$tmp/host/out/usr/share/man' \
    && find out -type f | while read -r f; do case \$(head -c 4 \"\$f\" | od -An -tx1 | tr -d ' \n') in 7f454c46) strip --strip-unneeded \"\$f\";; esac; done"
  hosts+=("$wall")
done
vs=(); for ((i = 0; i < n; i++)); do run_us "$tmp/v.log" $kiln --version; vs+=("$wall"); done   # after the runs that record the CDS archive
v=$(median "${vs[@]}") cold=$(median "${colds[@]}") warm=$(median "${warms[@]}") f=$(median "${forced[@]}") h=$(median "${hosts[@]}")

echo "recipe build: packages/tree.yaml (tree 2.1.0, 63 packages in the environment); mirror $mirror; median of $n"
printf '%-48s %10s\n' run wall
printf '%-48s %10s\n' "kiln --version" "$(secs $v) s"
printf '%-48s %10s\n' "kiln recipe build, empty store" "$(secs $cold) s"
printf '%-48s %10s\n' "kiln recipe build, warm (a lookup)" "$(secs $warm) s"
if [ "$warm" -ge "$v" ]; then printf '%-48s %10s\n' "  beyond kiln --version" "$(secs $((warm - v))) s"; fi
printf '%-48s %10s\n' "kiln recipe build --rebuild (steps + packaging)" "$(secs $f) s"
printf '%-48s %10s\n' "the same steps on the host" "$(secs $h) s"
printf '%-48s %10s  (%s x host)\n' "  kiln's overhead (rebuild - host)" "$(secs $((f - h))) s" "$(ratio $f $h)"
echo "every turn: cold $(for x in "${colds[@]}"; do secs "$x"; printf ' '; done)/ forced $(for x in "${forced[@]}"; do secs "$x"; printf ' '; done)/ host $(for x in "${hosts[@]}"; do secs "$x"; printf ' '; done)"
