#!/usr/bin/env bash
# Times `kiln build` of examples/base.yaml and examples/python3.yaml (for amd64 only) against
# `mmdebstrap --variant=extract` of the same locked packages from the same mirror, and records
# kiln's peak memory.
#
#   mmdebstrap: `mmdebstrap --variant=extract --include=NAME=VERSION,... bookworm OUT.tar`
#               (apt update, download, unpack, tar; it fetches everything on every run, and apt
#               adds the few dependencies the spec excludes, e.g. debconf and awk)
#   kiln cold : `kiln build SPEC -o DIR` with an empty store and no lock (resolve, fetch, build)
#   kiln warm : the same build again: lock and packages present
# Each is the median of N runs, kiln cold and mmdebstrap taking turns; kiln's peak RSS is the
# largest of its runs (/usr/bin/time %M).
#
# Goals: cold <= 0.5 x mmdebstrap; warm < 1 s; peak RSS < 512 MB for python3.
#
# Usage: bench/build-vs-mmdebstrap.sh [-n N] [--keep]   Environment: KILN (default ./kiln),
#        DEBIAN_MIRROR / DEBIAN_SECURITY_MIRROR (default: the host's apt sources)
set -euo pipefail
bench=$(cd "$(dirname "$0")" && pwd)
cd "$bench/.."

name=build-vs-mmdebstrap n=3
. "$bench/args.sh" "$@"
command -v mmdebstrap >/dev/null || code=2 die "mmdebstrap is not installed (apt-get install mmdebstrap)"
[ -x /usr/bin/time ] || code=2 die "/usr/bin/time is not installed (apt-get install time)"
. "$bench/lib.sh"
export DEBIAN_MIRROR=$mirror DEBIAN_SECURITY_MIRROR=$security

# one kiln run: wall time (us) into $wall, peak RSS (KB) into $rss
timed_kiln() {
  local log=$1; shift
  local t0 t1
  t0=$(now_us)
  /usr/bin/time -f '%M' -o "$tmp/rss" $kiln "$@" >"$log" 2>&1 || { cat "$log" >&2; code=2 die "kiln $* failed"; }
  t1=$(now_us); wall=$((t1 - t0)); rss=$(tail -1 "$tmp/rss")
}

$kiln --version >/dev/null   # untimed: builds kiln if needed and records its class-data archive
results=() runs=()
for name in base python3; do
  spec=$tmp/$name.yaml
  sed -E 's/^archs: .*$/archs: [amd64]/' "examples/$name.yaml" >"$spec"
  grep -q '^archs: \[amd64\]$' "$spec" || die "examples/$name.yaml has no archs line to restrict to amd64"

  # kiln cold and mmdebstrap alternate, so that both see the machine in the same state (it is
  # shared, and its speed drifts over minutes); mmdebstrap gets the packages of kiln's first lock
  coldrss=0 warmrss=0 colds=() warms=() mms=() pins=
  for ((i = 0; i < n; i++)); do
    rm -rf "$tmp/store" "$tmp/$name.lock.json"
    timed_kiln "$tmp/cold.log" build -q --store "$tmp/store" -o "$tmp/$name-oci" "$spec"
    colds+=("$wall"); [ "$rss" -gt "$coldrss" ] && coldrss=$rss
    if [ -z "$pins" ]; then
      pins=$(sed -n '/"archs":/,$p' "$tmp/$name.lock.json" | grep -E '"(name|version)":' | sed -E 's/.*"(name|version)": "([^"]*)".*/\2/' | paste -d= - - | paste -sd, -)
      count=$(echo "$pins" | tr , '\n' | wc -l)
    fi
    rm -f "$tmp/mm.tar"
    t0=$(now_us)
    mmdebstrap --quiet --variant=extract --architectures=amd64 --include="$pins" bookworm "$tmp/mm.tar" \
      "deb [signed-by=$keys] $mirror bookworm main" "deb [signed-by=$keys] $mirror bookworm-updates main" \
      "deb [signed-by=$keys] $security bookworm-security main" >"$tmp/mm.log" 2>&1 || { cat "$tmp/mm.log" >&2; code=2 die "mmdebstrap failed"; }
    t1=$(now_us); mms+=($((t1 - t0)))
  done
  for ((i = 0; i < n; i++)); do
    timed_kiln "$tmp/warm.log" build -q --store "$tmp/store" -o "$tmp/$name-oci" "$spec"
    warms+=("$wall"); [ "$rss" -gt "$warmrss" ] && warmrss=$rss
  done
  cold=$(median "${colds[@]}") warm=$(median "${warms[@]}") mm=$(median "${mms[@]}")

  mmcount=$(tar tf "$tmp/mm.tar" | grep -cE '^\./usr/share/doc/[^/]+/?$' || true)   # one doc entry per package
  results+=("$name $count $mmcount $mm $cold $warm $coldrss $warmrss")
  # every run, in the order they took turns: mmdebstrap's own time moves a lot here, and the ratio with it
  runs+=("$name: mmdebstrap $(for x in "${mms[@]}"; do secs "$x"; printf ' '; done)/ kiln cold $(for x in "${colds[@]}"; do secs "$x"; printf ' '; done)")
done

echo "build: examples/base.yaml and examples/python3.yaml for amd64 (bookworm + updates + security); mirror $mirror; median of $n"
printf '%-8s %-9s %-30s %10s %10s\n' image packages tool wall "peak RSS"
for r in "${results[@]}"; do
  read -r name count mmcount mm cold warm coldrss warmrss <<<"$r"
  printf '%-8s %-9s %-30s %10s %10s\n' "$name" "$count" "mmdebstrap --variant=extract" "$(secs $mm) s" "" \
    "" "" "  (apt unpacked $mmcount packages)" "" "" \
    "" "" "kiln build, cold" "$(secs $cold) s" "$((coldrss / 1024)) MB" \
    "" "" "kiln build, warm" "$(secs $warm) s" "$((warmrss / 1024)) MB"
done
printf 'runs (s), %s\n' "${runs[@]}"
echo
verdict() { if [ "${1:-0}" = 1 ]; then echo PASS; else echo MISS; fi; }
printf '%-36s %9s  %-9s %s\n' "goal" "value" "target" "result"
for r in "${results[@]}"; do
  read -r name count mmcount mm cold warm coldrss warmrss <<<"$r"
  peak=$((coldrss > warmrss ? coldrss : warmrss))
  printf '%-36s %9s  %-9s %s\n' "$name: cold / mmdebstrap" "$(ratio $cold $mm)" "<= 0.5" "$(verdict $([ $((cold * 2)) -le $mm ] && echo 1))"
  printf '%-36s %9s  %-9s %s\n' "$name: warm" "$(secs $warm) s" "< 1 s" "$(verdict $([ $warm -lt 1000000 ] && echo 1))"
  if [ "$name" = python3 ]; then
    printf '%-36s %9s  %-9s %s\n' "$name: kiln's peak RSS" "$((peak / 1024)) MB" "< 512 MB" "$(verdict $([ $peak -lt $((512 * 1024)) ] && echo 1))"
  fi
done
