#!/usr/bin/env bash
# Times `kiln fetch` against `apt-get download` of the same packages: the locked closure of
# openjdk-17-jre-headless python3 git on bookworm (+ updates, security) amd64, about 110 packages.
#
#   apt      : `apt-get download NAME=VERSION...` into an empty directory (lists already updated)
#   baseline : `kiln --version` (JVM start-up)
#   kiln cold: `kiln fetch LOCK` into an empty store
#   kiln warm: `kiln fetch LOCK` again, everything present
# Each is the median of N runs; apt and kiln cold take turns.
#
# Goals: cold <= apt; (cold - baseline) <= 0.7 x apt; warm - baseline <= 0.2 s.
#
# Usage: bench/fetch-vs-apt.sh [-n N] [--keep]      Environment: KILN (default ./kiln),
#        DEBIAN_MIRROR / DEBIAN_SECURITY_MIRROR (default: the host's apt sources)
set -euo pipefail
bench=$(cd "$(dirname "$0")" && pwd)
cd "$bench/.."

name=fetch-vs-apt n=5
. "$bench/args.sh" "$@"
. "$bench/lib.sh"

cat >"$tmp/set.yaml" <<'YAML'
contents:
  repositories:
    - deb ${DEBIAN_MIRROR} bookworm main
    - deb ${DEBIAN_MIRROR} bookworm-updates main
    - deb ${DEBIAN_SECURITY_MIRROR} bookworm-security main
  packages: [openjdk-17-jre-headless, python3, git]
archs: [amd64]
YAML
$kiln lock --store "$tmp/meta" -o "$tmp/set.lock.json" "$tmp/set.yaml" >"$tmp/lock.log" 2>&1 || { cat "$tmp/lock.log" >&2; code=2 die "kiln lock failed"; }
# NAME=VERSION for apt, from the lock
pins=$(sed -n '/"archs":/,$p' "$tmp/set.lock.json" | grep -E '"(name|version)":' | sed -E 's/.*"(name|version)": "([^"]*)".*/\2/' | paste -d= - -)
count=$(echo "$pins" | wc -l)
bytes=$(grep -E '"size":' "$tmp/set.lock.json" | grep -oE '[0-9]+' | awk '{s += $1} END {print s}')

apt_ update >"$tmp/apt-update.log" 2>&1 || { cat "$tmp/apt-update.log" >&2; code=2 die "apt-get update failed"; }
runs=(); for ((i = 0; i < n; i++)); do t0=$(now_us); $kiln --version >/dev/null; t1=$(now_us); runs+=($((t1 - t0))); done
base=$(median "${runs[@]}")

$kiln fetch --quiet --store "$tmp/warmup" "$tmp/set.lock.json" >/dev/null 2>&1 || true   # untimed: JVM class-data archive
rm -rf "$tmp/warmup"
# apt and kiln cold take turns, so that both see the machine (shared, its speed drifting) alike
apts=() colds=()
for ((i = 0; i < n; i++)); do
  rm -rf "$tmp/debs" "$tmp/store"; mkdir -p "$tmp/debs"
  t0=$(now_us)
  (cd "$tmp/debs" && apt_ download $pins >"$tmp/apt-download.log" 2>&1) || { cat "$tmp/apt-download.log" >&2; code=2 die "apt-get download failed"; }
  t1=$(now_us); apts+=($((t1 - t0)))
  [ "$(ls "$tmp/debs" | wc -l)" -eq "$count" ] || die "apt downloaded $(ls "$tmp/debs" | wc -l) files, expected $count"
  t0=$(now_us)
  $kiln fetch --quiet --store "$tmp/store" "$tmp/set.lock.json" >"$tmp/fetch.log" 2>&1 || { cat "$tmp/fetch.log" >&2; code=2 die "kiln fetch failed"; }
  t1=$(now_us); colds+=($((t1 - t0)))
done
apt_t=$(median "${apts[@]}") cold=$(median "${colds[@]}")
runs=(); for ((i = 0; i < n; i++)); do t0=$(now_us); $kiln fetch --quiet --store "$tmp/store" "$tmp/set.lock.json" >/dev/null; t1=$(now_us); runs+=($((t1 - t0))); done
warm=$(median "${runs[@]}")

echo "fetch: $count packages, $((bytes / 1000000)) MB (openjdk-17-jre-headless python3 git, bookworm amd64); mirror $mirror"
printf '%-28s %9s\n' "apt-get download" "$(secs $apt_t) s" "kiln --version (baseline)" "$(secs $base) s" \
  "kiln fetch, empty store" "$(secs $cold) s" "kiln fetch, all present" "$(secs $warm) s"
echo
beyond=$((cold - base))
verdict() { if [ "${1:-0}" = 1 ]; then echo PASS; else echo MISS; fi; }
printf '%-40s %8s  %-8s %s\n' "goal" "value" "target" "result"
printf '%-40s %8s  %-8s %s\n' "cold / apt" "$(ratio $cold $apt_t)" "<= 1.0" "$(verdict $([ $cold -le $apt_t ] && echo 1))"
printf '%-40s %8s  %-8s %s\n' "(cold - baseline) / apt" "$(ratio $beyond $apt_t)" "<= 0.7" "$(verdict $([ $((beyond * 10)) -le $((apt_t * 7)) ] && echo 1))"
printf '%-40s %8s  %-8s %s\n' "warm - baseline" "$(secs $((warm - base))) s" "<= 0.2 s" "$(verdict $([ $((warm - base)) -le 200000 ] && echo 1))"
