#!/usr/bin/env bash
# Times `kiln build` of examples/python3.yaml (amd64, the lock present) from an empty store with a
# warm registry cache, against a warm local store and against no cache at all:
#
#   cold        : an empty store, no cache: every package from the mirror, unpacked, layers compressed
#   cache       : an empty store, `--cache` warm and trusted: every .deb, unpacked package and layer
#                 streamed from a docker-registry on 127.0.0.1, nothing unpacked or compressed
#   warm local  : the same build again on a store that has it all (lookups and the layout copy)
# Each is the median of N runs, taken in turns. The registry is docker-registry (distribution) on
# 127.0.0.1 with its filesystem storage; the cache is filled once, untimed, by a build with
# --cache-push.
#
# Goal: cache within 1.5x of warm local, far below cold.
#
# Usage: bench/registry-cache.sh [-n N] [--keep]   Environment: KILN (default ./kiln),
#        DEBIAN_MIRROR (default: the host's apt sources)
set -euo pipefail
bench=$(cd "$(dirname "$0")" && pwd)
cd "$bench/.."

name=registry-cache n=3
. "$bench/args.sh" "$@"
command -v docker-registry >/dev/null || code=2 die "docker-registry is not installed (apt-get install docker-registry)"
. "$bench/lib.sh"
export DEBIAN_MIRROR=$mirror DEBIAN_SECURITY_MIRROR=$security

# a registry on a free port of 127.0.0.1, its data under $tmp
mkdir -p "$tmp/registry"
cat >"$tmp/registry/config.yml" <<YAML
version: 0.1
log: {level: info, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $tmp/registry/data}}
http: {addr: 127.0.0.1:0, secret: bench}
YAML
docker-registry serve "$tmp/registry/config.yml" >"$tmp/registry/log" 2>&1 &
registry_pid=$!
trap 'kill $registry_pid 2>/dev/null || true; [ "$keep" = 1 ] || rm -rf "$tmp"' EXIT
port=
for ((i = 0; i < 100; i++)); do
  port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/registry/log" | head -1)
  [ -z "$port" ] || break
  sleep 0.1
done
[ -n "$port" ] || die "docker-registry did not start: $(cat "$tmp/registry/log")"
cache=127.0.0.1:$port/kiln/cache

$kiln --version >/dev/null   # untimed: builds kiln if needed and records its class-data archive
sed 's/^archs: .*/archs: [amd64]/' examples/python3.yaml >"$tmp/python3.yaml"
spec=$tmp/python3.yaml
$kiln lock --store "$tmp/lock-store" "$spec" >/dev/null
$kiln keys generate ci --dir "$tmp/keys" >/dev/null
# fill the cache (and the warm local store) once, untimed
$kiln build -q --frozen --store "$tmp/warm-store" -o "$tmp/seed" --cache "$cache" --cache-push --cache-key "$tmp/keys/ci.key" "$spec" \
  >"$tmp/seed.log" 2>&1 || { cat "$tmp/seed.log" >&2; die "the build that fills the cache failed"; }
digest() { sed -n 's/.*"digest": *"\(sha256:[0-9a-f]*\)".*/\1/p' "$1/index.json" | head -1; }
want=$(digest "$tmp/seed")

colds=(); caches=(); warms=()
for ((i = 0; i < n; i++)); do
  rm -rf "$tmp/store" "$tmp/out"
  run_us "$tmp/cold.log" $kiln build -q --frozen --store "$tmp/store" -o "$tmp/out" "$spec"; colds+=("$wall")
  [ "$(digest "$tmp/out")" = "$want" ] || die "the cold build made another image"
  rm -rf "$tmp/store" "$tmp/out"
  run_us "$tmp/cache.log" $kiln build -q --frozen --store "$tmp/store" -o "$tmp/out" --cache "$cache" \
    --cache-trust "$tmp/keys/ci.pub" "$spec"; caches+=("$wall")
  [ "$(digest "$tmp/out")" = "$want" ] || die "the build from the cache made another image"
  grep -q 'warning' "$tmp/cache.log" && die "the build from the cache warned: $(cat "$tmp/cache.log")"
  rm -rf "$tmp/out"
  run_us "$tmp/warm.log" $kiln build -q --frozen --store "$tmp/warm-store" -o "$tmp/out" "$spec"; warms+=("$wall")
done
cold=$(median "${colds[@]}") c=$(median "${caches[@]}") warm=$(median "${warms[@]}")
packages=$(grep -c '"sha256"' "$tmp/python3.lock.json" || true)

echo "registry cache: examples/python3.yaml (amd64, $packages packages); mirror $mirror; docker-registry on 127.0.0.1; median of $n"
printf '%-50s %10s\n' run wall
printf '%-50s %10s\n' "kiln build, empty store, no cache (cold)" "$(secs $cold) s"
printf '%-50s %10s  (%s x warm, %s x cold)\n' "kiln build, empty store, warm registry cache" "$(secs $c) s" "$(ratio $c $warm)" "$(ratio $c $cold)"
printf '%-50s %10s\n' "kiln build, warm local store" "$(secs $warm) s"
echo "every turn: cold $(for x in "${colds[@]}"; do secs "$x"; printf ' '; done)/ cache $(for x in "${caches[@]}"; do secs "$x"; printf ' '; done)/ warm $(for x in "${warms[@]}"; do secs "$x"; printf ' '; done)"
if meets "$c" "$warm" 1500; then echo "goal met: the cache is within 1.5x of a warm local store"; else echo "goal missed: the cache is $(ratio $c $warm)x a warm local store (goal 1.5x)"; fi
