# Shared by the bench scripts and sourced first, with the script's arguments: `. args.sh "$@"`.
# Expects: $bench, $name (the script's name, for messages), $n (its default repetitions), and
# optionally a function option() that takes one argument of the script's own (returns 1 if it is
# not one). Parses -n N, --keep and -h/--help (the script's header comment); sets n, keep, kiln;
# defines die(); makes $tmp, removed on exit unless --keep.

keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    -n) n=${2:?-n needs a number}; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *)
      if declare -F option >/dev/null && option "$1"; then
        shift
      else
        echo "$name: unknown argument: $1 (see --help)" >&2; exit 1
      fi ;;
  esac
done
case "$n" in ''|*[!0-9]*|0) echo "$name: -n wants a positive integer, got '$n'" >&2; exit 1 ;; esac
kiln=${KILN:-./kiln}
die() { echo "$name: $*" >&2; exit "${code:-1}"; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiln-$name.XXXXXX")
if [ "$keep" = 1 ]; then echo "$name: keeping $tmp" >&2; else trap 'rm -rf "$tmp"' EXIT; fi
