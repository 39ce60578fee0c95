# Shared by the bench scripts: timing helpers, the host's Debian mirrors, and a private apt root
# (own Dir, empty dpkg status, no Recommends, nothing from the host's apt configuration).
# Expects: $tmp (a scratch directory), die(); sets: mirror, security, root, keys; defines apt_().

# ---- timing: microseconds since the epoch, integer arithmetic only ---------------------------
now_us() {
  if [ -n "${EPOCHREALTIME:-}" ]; then local t=${EPOCHREALTIME/[.,]/}; echo $((10#$t))
  else local t; t=$(date +%s%N); echo $((10#$t / 1000)); fi
}
secs() { printf '%d.%03d' $(($1 / 1000000)) $((($1 % 1000000) / 1000)); }   # us -> "s.mmm"
ratio() { [ "$2" -gt 0 ] || { echo "n/a"; return; }; local r=$((($1 * 100 + $2 / 2) / $2)); printf '%d.%02d' $((r / 100)) $((r % 100)); }   # a/b, 2 decimals
run_us() {  # run_us LOG CMD...: wall time in us into $wall (the log shown, and the script ended, when CMD fails)
  local log=$1; shift
  local t0 t1
  t0=$(now_us)
  "$@" >"$log" 2>&1 || { cat "$log" >&2; code=2 die "$* failed"; }
  t1=$(now_us); wall=$((t1 - t0))
}
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }
# ratio x1000 <= goal x1000 ?
meets() { [ "$2" -gt 0 ] && [ $(($1 * 1000)) -le $(($3 * $2)) ]; }

# ---- the Debian mirror: environment first, else the host's apt sources -----------------------
host_entries() {  # prints "URI SUITE" for every enabled `deb` entry of the host's apt sources
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk '{ sub(/#.*/, "") } $1 == "deb" {
           i = 2; if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
           if (i + 1 <= NF) print $i, $(i + 1) }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk 'BEGIN { RS = ""; FS = "\n" }
         { types = uris = suites = ""; enabled = "yes"; key = ""
           for (i = 1; i <= NF; i++) {
             line = $i; if (line ~ /^#/) continue
             if (line ~ /^[ \t]/) { if (key == "uris" || key == "suites") { v = line; gsub(/^[ \t]+/, "", v); if (key == "uris") uris = uris " " v; else suites = suites " " v }; continue }
             k = tolower(substr(line, 1, index(line, ":") - 1)); v = substr(line, index(line, ":") + 1); key = k
             if (k == "types") types = v; else if (k == "uris") uris = v; else if (k == "suites") suites = v; else if (k == "enabled") enabled = tolower(v)
           }
           gsub(/[ \t]/, "", enabled)
           if ((" " types " ") !~ /[ \t]deb[ \t]/ || enabled == "no" || enabled == "false") next
           nu = split(uris, u, /[ \t]+/); ns = split(suites, s, /[ \t]+/)
           for (a = 1; a <= nu; a++) for (b = 1; b <= ns; b++) if (u[a] != "" && s[b] != "") print u[a], s[b] }' "$f"
  done
}
pick_mirrors() {
  local entries uri suite
  entries=$(host_entries | awk '$1 ~ /^(https?:|file:)/ { sub(/\/+$/, "", $1); print $1, $2 }')
  mirror=${DEBIAN_MIRROR:-}
  if [ -z "$mirror" ]; then
    while read -r uri suite; do
      case "$suite" in *-security|*/updates) continue ;; esac
      case "$uri" in */debian) mirror=$uri; break ;; esac
    done <<<"$entries"
  fi
  if [ -z "$mirror" ]; then
    while read -r uri suite; do
      case "$suite" in *-security|*/updates|'') continue ;; esac
      mirror=$uri; break
    done <<<"$entries"
  fi
  security=${DEBIAN_SECURITY_MIRROR:-}
  if [ -z "$security" ]; then
    while read -r uri suite; do
      case "$suite" in *-security|*/updates) security=$uri; break ;; esac
    done <<<"$entries"
  fi
  if [ -z "$security" ]; then case "$mirror" in */debian) security=$mirror-security ;; esac; fi
  mirror=${mirror%/} security=${security%/}
  [ -n "$mirror" ] || die "no Debian mirror: set DEBIAN_MIRROR or add one to the host's apt sources"
  [ -n "$security" ] || die "no Debian security mirror: set DEBIAN_SECURITY_MIRROR"
}
pick_mirrors

# ---- apt: a private root, empty dpkg status, no Recommends, nothing from the host's config ---
keys=$(ls -1 "$PWD"/keys/debian-*.asc 2>/dev/null | paste -sd, -)
[ -n "$keys" ] || keys=/usr/share/keyrings/debian-archive-keyring.gpg
[ -n "$keys" ] && [ -e "${keys%%,*}" ] || die "no Debian archive keys in keys/ or /usr/share/keyrings"
root=$tmp/apt-root
mkdir -p "$root"/etc/apt/{apt.conf.d,sources.list.d,preferences.d,trusted.gpg.d,auth.conf.d} \
         "$root"/var/lib/apt/lists/partial "$root"/var/cache/apt/archives/partial \
         "$root"/var/lib/dpkg "$root"/var/log/apt
: >"$root/var/lib/dpkg/status"
cat >"$root/etc/apt/sources.list" <<EOF
deb [signed-by=$keys] $mirror bookworm main
deb [signed-by=$keys] $mirror bookworm-updates main
deb [signed-by=$keys] $security bookworm-security main
EOF
cat >"$root/apt.conf" <<EOF
Dir "$root/";
Dir::State "var/lib/apt/";
Dir::State::status "$root/var/lib/dpkg/status";
Dir::Cache "var/cache/apt/";
Dir::Etc "etc/apt/";
Dir::Etc::main "apt.conf";
Dir::Etc::parts "apt.conf.d/";
Dir::Etc::sourcelist "sources.list";
Dir::Etc::sourceparts "sources.list.d/";
Dir::Etc::preferences "preferences";
Dir::Etc::preferencesparts "preferences.d/";
Dir::Etc::trusted "trusted.gpg";
Dir::Etc::trustedparts "trusted.gpg.d/";
Dir::Log "var/log/apt/";
APT::Architecture "amd64";
APT::Architectures { "amd64"; };
APT::Install-Recommends "false";
APT::Install-Suggests "false";
APT::Get::List-Cleanup "false";
APT::Sandbox::User "root";
Debug::NoLocking "true";
Acquire::Languages "none";
Acquire::PDiffs "false";
EOF
apt_() { APT_CONFIG=$root/apt.conf LC_ALL=C DEBIAN_FRONTEND=noninteractive apt-get "$@" </dev/null; }
