#!/usr/bin/env bash
# Times `kiln recipe build` of a diamond of four recipes (base; left and right on base; top on left
# and right), each a few seconds of CPU-bound shell work in an environment of dash and coreutils
# from the host's Debian mirror (a shell loop counting to WORK), built one after the other against
# side by side:
#
#   serial   : `kiln recipe build --rebuild --jobs 1 DIR` (the environments fetched and written: the steps and packaging)
#   parallel : the same with --jobs 2: left and right build at the same time
#   warm     : `kiln recipe build DIR` again: four build keys found in the store (lookups)
# Each is the median of N runs. The recipes are locked in turn first (each locked against the
# repository its dependencies were published into), untimed.
#
# Usage: bench/recipe-dag.sh [-n N] [--keep]   Environment: KILN (default ./kiln),
#        DEBIAN_MIRROR (default: the host's apt sources), WORK (the loop's count per recipe, default 2000000: about two seconds)
set -euo pipefail
bench=$(cd "$(dirname "$0")" && pwd)
cd "$bench/.."

name=recipe-dag n=3
. "$bench/args.sh" "$@"
. "$bench/lib.sh"
export DEBIAN_MIRROR=$mirror
work=${WORK:-2000000}

$kiln --version >/dev/null   # untimed: builds kiln if needed
pk=$tmp/packages repo=$tmp/repo store=$tmp/store
mkdir -p "$pk"
$kiln keys generate bench --openpgp --dir "$tmp/keys" >/dev/null
recipe() {  # recipe NAME NEEDS...: a recipe counting to $work, its environment taking NEEDS from $repo
  local n=$1; shift
  local line="" pkgs="dash, coreutils"
  if [ $# -gt 0 ]; then
    line="      - deb [signed-by=$tmp/keys/bench.asc] file:$repo recipes main"
    for d in "$@"; do pkgs="$pkgs, $d"; done
  fi
  cat >"$pk/$n.yaml" <<YAML
package:
  name: $n
  version: 1.0
  epoch: 0
  description: a recipe of the diamond bench
  copyright: [{license: MIT}]
environment:
  contents:
    repositories:
      - deb \${DEBIAN_MIRROR} bookworm main
$line
    packages: [$pkgs]
pipeline:
  - name: work
    runs: |
      i=0
      while [ \$i -lt $work ]; do i=\$((i + 1)); done
      mkdir -p "\${{targets.destdir}}/usr/share/$n"
      echo $n > "\${{targets.destdir}}/usr/share/$n/marker"
YAML
  sed -i '/^$/d' "$pk/$n.yaml"
}
stage() {  # stage NAME...: lock and publish, untimed
  local files=(); for r in "$@"; do files+=("$pk/$r.yaml"); done
  $kiln recipe lock --store "$store" "${files[@]}" >/dev/null
  $kiln recipe build -q --store "$store" --repo "$repo" --signing-key "$tmp/keys/bench.secret.asc" "${files[@]}" >/dev/null
}
recipe base; stage base
recipe left base; recipe right base; stage left right
recipe top left right; $kiln recipe lock --store "$store" "$pk/top.yaml" >/dev/null
$kiln recipe build -q --store "$store" "$pk" >/dev/null

serials=(); parallels=(); warms=()
for ((i = 0; i < n; i++)); do
  run_us "$tmp/serial.log" $kiln recipe build -q --rebuild --jobs 1 --store "$store" "$pk"; serials+=("$wall")
  run_us "$tmp/parallel.log" $kiln recipe build -q --rebuild --jobs 2 --store "$store" "$pk"; parallels+=("$wall")
  run_us "$tmp/warm.log" $kiln recipe build -q --store "$store" "$pk"; warms+=("$wall")
  [ "$(grep -c '^found ' "$tmp/warm.log")" = 4 ] || die "the warm build was not four lookups: $(cat "$tmp/warm.log")"
done
s=$(median "${serials[@]}") p=$(median "${parallels[@]}") w=$(median "${warms[@]}")

echo "recipe DAG: a diamond of 4 recipes, each counting to $work in dash, $(nproc) cores; mirror $mirror; median of $n"
printf '%-52s %10s\n' run wall
printf '%-52s %10s\n' "kiln recipe build --rebuild --jobs 1 (serial)" "$(secs $s) s"
printf '%-52s %10s  (%s x serial)\n' "kiln recipe build --rebuild --jobs 2 (parallel)" "$(secs $p) s" "$(ratio $p $s)"
printf '%-52s %10s\n' "kiln recipe build, warm (4 lookups)" "$(secs $w) s"
