#!/usr/bin/env bash
# Times `kiln lock` against apt resolving the same thing: python3 from bookworm + bookworm-updates
# + bookworm-security, amd64, from an empty system without Recommends.
#
#   apt cold : fresh private apt root, `apt-get update` + `apt-get install -s python3`
#   apt warm : `apt-get install -s python3` again in that root (median of N runs)
#   kiln cold: `./kiln lock --store $tmp/store ...` with an empty store
#   kiln warm: the same again with the store kept (median of N runs)
#   kiln warm*: a different spec each run (python3 + one more package) with the indexes in the store
#   kiln offln*: the same with --offline (no download at all: apt's install -s works from its last update)
#
# Goals: kiln/apt <= 1.0 cold, <= 0.5 warm. Prints a table with PASS/MISS per goal.
#
# Usage: bench/lock-vs-apt.sh [-n N] [--apt-only] [--strict] [--keep]
#   -n N        warm repetitions (default 5)
#   --apt-only  time only the apt half (kiln is not run)
#   --strict    exit 3 if a goal is missed (default: report only, exit 0)
#   --keep      keep the temporary directory (apt root, store, spec, lockfile)
# Environment:
#   DEBIAN_MIRROR, DEBIAN_SECURITY_MIRROR  mirror URIs for apt (default: the host's apt sources;
#                                          kiln reads them the same way itself)
#   KILN                                   the kiln command (default: ./kiln at the repository root)
# Exit: 0 measured, 1 usage/setup error, 2 apt or kiln failed, 3 goal missed with --strict.
set -euo pipefail
bench=$(cd "$(dirname "$0")" && pwd)
cd "$bench/.."

name=lock-vs-apt n=5 apt_only=0 strict=0
option() {
  case "$1" in
    --apt-only) apt_only=1 ;;
    --strict) strict=1 ;;
    *) return 1 ;;
  esac
}
. "$bench/args.sh" "$@"
command -v apt-get >/dev/null || die "apt-get not found: the apt half needs a Debian or Ubuntu host"

. "$bench/lib.sh"

apt_install() {  # $1 log file
  if ! apt_ install -s -y python3 >"$1" 2>&1 || ! grep -q '^Inst python3 ' "$1"; then
    cat "$1" >&2; code=2 die "apt-get install -s python3 failed (output above)"
  fi
}

# ---- kiln: the spec, as the contract says -------------------------------------------------------
cat >"$tmp/python3.yaml" <<'EOF'
contents:
  repositories:
    - deb ${DEBIAN_MIRROR} bookworm main
    - deb ${DEBIAN_MIRROR} bookworm-updates main
    - deb ${DEBIAN_SECURITY_MIRROR} bookworm-security main
  packages: [python3]
archs: [amd64]
EOF
kiln_lock() {  # $1 store, $2 log file
  rm -f "$tmp/py.lock.json"
  if ! $kiln lock --store "$1" -o "$tmp/py.lock.json" "$tmp/python3.yaml" >"$2" 2>&1; then
    cat "$2" >&2; code=2 die "'$kiln lock' failed (output above)"
  fi
  [ -s "$tmp/py.lock.json" ] || { cat "$2" >&2; code=2 die "'$kiln lock' succeeded but wrote no $tmp/py.lock.json"; }
}

echo "lock python3: bookworm + bookworm-updates + bookworm-security, amd64 (apt $(apt-get --version | awk 'NR==1{print $2}'), warm = median of $n)"
echo "mirrors: $mirror  $security"

# Untimed warm-up: builds the kiln CLI if needed and records its class-data archive (first run),
# and warms the mirror path, so "cold" means an empty store/root, not a first JVM or first build.
if [ "$apt_only" = 0 ]; then
  echo "warm-up: kiln lock into a throwaway store (untimed)..."
  kiln_lock "$tmp/warmup-store" "$tmp/kiln-warmup.log"
  rm -rf "$tmp/warmup-store"
fi

# ---- apt ----------------------------------------------------------------------------------------
t0=$(now_us)
if ! apt_ update >"$tmp/apt-update.log" 2>&1 || grep -Eq '^(W|E|Err):' "$tmp/apt-update.log"; then
  cat "$tmp/apt-update.log" >&2; code=2 die "apt-get update failed (output above)"
fi
t1=$(now_us)
apt_install "$tmp/apt-cold.log"
t2=$(now_us)
apt_update_us=$((t1 - t0)) apt_install_us=$((t2 - t1)) apt_cold=$((t2 - t0))
apt_pkgs=$(grep -c '^Inst ' "$tmp/apt-cold.log")
runs=()
for ((i = 0; i < n; i++)); do
  t0=$(now_us); apt_install "$tmp/apt-warm.log"; t1=$(now_us); runs+=($((t1 - t0)))
done
apt_warm=$(median "${runs[@]}")
echo "apt: $apt_pkgs packages; cold = update $(secs $apt_update_us) s + install -s $(secs $apt_install_us) s; warm runs: $(for r in "${runs[@]}"; do printf '%s ' "$(secs "$r")"; done)"

# ---- kiln ---------------------------------------------------------------------------------------
if [ "$apt_only" = 0 ]; then
  rm -rf "$tmp/store"
  t0=$(now_us); kiln_lock "$tmp/store" "$tmp/kiln-cold.log"; t1=$(now_us)
  kiln_cold=$((t1 - t0))
  runs=()
  for ((i = 0; i < n; i++)); do
    t0=$(now_us); kiln_lock "$tmp/store" "$tmp/kiln-warm.log"; t1=$(now_us); runs+=($((t1 - t0)))
  done
  kiln_warm=$(median "${runs[@]}")
  echo "kiln: warm runs: $(for r in "${runs[@]}"; do printf '%s ' "$(secs "$r")"; done)"
  # warm indexes, but a spec never solved before: python3 plus one more package each run, so
  # the memoized solve cannot answer and the cached parsed indexes are loaded and solved
  extra=(curl git perl wget less gzip nano openssl xz-utils zstd file bzip2)
  runs=()
  for ((i = 0; i < n; i++)); do
    sed "s/packages: \[python3\]/packages: [python3, ${extra[$((i % ${#extra[@]}))]}]/" "$tmp/python3.yaml" >"$tmp/new.yaml"
    t0=$(now_us)
    $kiln lock --store "$tmp/store" -o "$tmp/new.lock.json" "$tmp/new.yaml" >"$tmp/kiln-new.log" 2>&1 || { cat "$tmp/kiln-new.log" >&2; code=2 die "'$kiln lock' failed (output above)"; }
    t1=$(now_us); runs+=($((t1 - t0)))
  done
  kiln_new=$(median "${runs[@]}")
  echo "kiln: warm indexes, new spec each run: $(for r in "${runs[@]}"; do printf '%s ' "$(secs "$r")"; done)"
  # as apt's install -s: from the metadata of the last update, nothing downloaded, a new spec each run
  extra2=(sed tar grep coreutils diffutils findutils hostname procps psmisc time units unzip)
  runs=()
  for ((i = 0; i < n; i++)); do
    sed "s/packages: \[python3\]/packages: [python3, ${extra2[$((i % ${#extra2[@]}))]}]/" "$tmp/python3.yaml" >"$tmp/off.yaml"
    t0=$(now_us)
    $kiln lock --offline --store "$tmp/store" -o "$tmp/off.lock.json" "$tmp/off.yaml" >"$tmp/kiln-off.log" 2>&1 || { cat "$tmp/kiln-off.log" >&2; code=2 die "'$kiln lock --offline' failed (output above)"; }
    t1=$(now_us); runs+=($((t1 - t0)))
  done
  kiln_off=$(median "${runs[@]}")
  echo "kiln: --offline, new spec each run: $(for r in "${runs[@]}"; do printf '%s ' "$(secs "$r")"; done)"
fi

# ---- table --------------------------------------------------------------------------------------
missed=0
row() {  # name apt_us kiln_us goal_x1000 goal_text
  local k r v
  if [ "$apt_only" = 1 ]; then k="-" r="-" v="(not run)"
  else
    k="$(secs "$3") s" r=$(ratio "$3" "$2")
    if meets "$3" "$2" "$4"; then v=PASS; else v=MISS; missed=1; fi
  fi
  printf '%-6s %10s %10s %9s   %-7s %s\n' "$1" "$(secs "$2") s" "$k" "$r" "$5" "$v"
}
echo
printf '%-6s %10s %10s %9s   %-7s %s\n' "" apt kiln kiln/apt goal result
row cold "$apt_cold" "${kiln_cold:-0}" 1000 "<= 1.0"
row warm "$apt_warm" "${kiln_warm:-0}" 500 "<= 0.5"
row "warm*" "$apt_warm" "${kiln_new:-0}" 500 "<= 0.5"
row "offln*" "$apt_warm" "${kiln_off:-0}" 500 "<= 0.5"
echo "warm = the same spec again (its solve is memoized; Releases re-fetched and compared)"
echo "warm* = a spec not solved before, indexes in the store (Releases re-fetched)"
echo "offln* = a spec not solved before, 'kiln lock --offline': the last verified Releases, as apt install -s uses its lists"

if [ "$strict" = 1 ] && [ "$missed" = 1 ]; then exit 3; fi
exit 0
