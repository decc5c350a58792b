#!/bin/sh
# The systemd unit (contrib/lockprobed.service.in): systemd-analyze verify
# accepts it; systemd-analyze security scores its exposure at most
# EXPOSURE_MAX (SECURITY.md records the report and the reason for every
# exposure left); and lockprobed runs with no more than the unit's
# capability bounding set under no_new_privs, as the unit starts it: netd
# drops to its user, the collector walks and lockprobectl status answers.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
EXPOSURE_MAX=3.2
command -v systemd-analyze >/dev/null || skip "needs systemd-analyze (Debian package systemd)"
UNIT=$top_builddir/contrib/lockprobed.service
[ -f "$UNIT" ] || fail "$UNIT is not built"

T=$(mktemp -d /tmp/lockprobe-unit.XXXXXX) || fail "mktemp"
chmod 755 "$T"
# the unit as installed, but with the programs of this build and the
# manual pages of this tree
sed -E "s|^(Exec[A-Za-z]*=[+-]?)[^ ]*/lockprobed\\b|\\1$top_builddir/lockprobed|" \
    "$UNIT" > "$T/lockprobed.service"
mkdir -p "$T/man/man5" "$T/man/man8"
for page in "$top_srcdir"/man/*.5; do ln -s "$page" "$T/man/man5/"; done
for page in "$top_srcdir"/man/*.8; do ln -s "$page" "$T/man/man8/"; done
if ! MANPATH=$T/man systemd-analyze verify "$T/lockprobed.service" > "$T/verify" 2>&1 ||
    [ -s "$T/verify" ]; then
	fail "systemd-analyze verify: $(cat "$T/verify")"
fi
ok "systemd-analyze verify: no complaint"

systemd-analyze security --offline=yes "$T/lockprobed.service" > "$T/security" 2>&1 ||
    fail "systemd-analyze security: $(cat "$T/security")"
score=$(sed -n 's/.*Overall exposure level for lockprobed.service: \([0-9.]*\).*/\1/p' "$T/security")
[ -n "$score" ] || fail "no exposure level in: $(cat "$T/security")"
awk -v s="$score" -v m="$EXPOSURE_MAX" 'BEGIN { exit !(s <= m) }' ||
    fail "exposure level $score is above $EXPOSURE_MAX: $(grep '✗' "$T/security")"
for want in "Service has no administrator privileges" \
    "Service has strict read-only access to the OS file hierarchy" \
    "Service may execute system calls only with native ABI" \
    "Service cannot create writable executable memory mappings"; do
	grep -q "$want" "$T/security" || fail "the report lacks '$want'"
done
ok "systemd-analyze security: exposure $score (bound $EXPOSURE_MAX)"

# lockprobed under the unit's bounding set and no_new_privs
require_root
command -v setpriv >/dev/null || skip "needs setpriv (Debian package util-linux)"
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT" | tr ' ' '\n' |
    sed -n 's/^CAP_\(.*\)/+\1/p' | tr 'A-Z' 'a-z' | paste -sd, -)
[ -n "$caps" ] || fail "no CapabilityBoundingSet= in $UNIT"
case $caps in *sys_admin*) fail "the unit keeps CAP_SYS_ADMIN" ;; esac
cat > "$T/bounded" <<EOF
#!/bin/sh
exec setpriv --no-new-privs --bounding-set=-all,$caps "$top_builddir/lockprobed" "\$@"
EOF
chmod 755 "$T/bounded"
LOCKPROBED=$T/bounded
rm -rf "$T/man"
CONF=$T/lockprobe.conf
LOG=$T/lockprobed.log
write_conf "rewalk-interval 1"
start_daemon
wait_netd_up 1
wait_log "map walk [0-9]*: " 15
"$LOCKPROBECTL" -s "$T/ctl.sock" status > "$T/status" || fail "lockprobectl status"
grep -q "^BPF asset mapwalk.bpf.o: loaded" "$T/status" || fail "the walker did not load: $(cat "$T/status")"
grep -q "^kernel symbols: [0-9]* of [0-9]* found" "$T/status" || fail "no kernel symbols: $(cat "$T/status")"
grep -q '^NoNewPrivs:	1$' "/proc/$PRIVD_PID/status" || fail "lockprobed without no_new_privs"
[ "$(stat -c %U "/proc/$(netd_pid)")" = "$NETD_USER" ] || fail "netd did not drop to $NETD_USER"
ok "lockprobed with the unit's capabilities ($caps) and no_new_privs: collector and netd up"
finish
