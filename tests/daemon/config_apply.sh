#!/bin/sh
# The broker: ConfigApply from netd (here a scripted netd) applies remote
# collector settings over lockprobe.conf's, all or nothing.  Good settings
# change which maps are tracked; each bad field is refused with a reason
# naming it while the previous settings stay in force; a range budget above
# the programs' room reloads them; enabled false detaches them; a SIGHUP
# reload keeps the remote fields; a ConfigApply without settings reverts.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
setup_map_test

# maps with names no other test uses: P_app_a (hash), P_app_b (lru_hash),
# P_tmp_c (hash)
P=c$(od -An -N2 -tx2 /dev/urandom | tr -d ' ')
A=$(pin_map "${P}_app_a" hash)
B=$(pin_map "${P}_app_b" lru_hash)
C=$(pin_map "${P}_tmp_c" hash)

mkfifo "$T/cmd" || fail "mkfifo"
: > "$T/out"
cat > "$T/fake-netd" <<EOF
#!/bin/sh
exec /usr/bin/python3 $top_srcdir/tests/config_netd.py $T/cmd $T/out
EOF
chmod 755 "$T/fake-netd"
LP_NETD_PATH=$T/fake-netd write_conf "range-budget 4096" "rewalk-interval 600"
# assets of its own, to break one while it runs
mkdir "$T/assets"
cp "$top_builddir"/bpf/*.bpf.o "$T/assets/" || fail "copying the BPF assets"
sed -i "s|^asset-directory .*|asset-directory $T/assets|" "$CONF"
start_daemon
wait_netd_up 1

# ask REQUEST-JSON: send one request, print its answer (one JSON line)
ask() {
	_n=$(wc -l < "$T/out")
	timeout 20 sh -c 'echo "$1" > "$2"' - "$1" "$T/cmd" ||
	    fail "the scripted netd does not read its commands"
	wait_for 20 "an answer to $1" sh -c "[ \$(wc -l < '$T/out') -gt $_n ]"
	sed -n "$((_n + 1))p" "$T/out"
}
# check ANSWER PYTHON-EXPRESSION: the expression holds for the answer a
check() {
	python3 -c 'import json, sys
a = json.loads(sys.argv[1])
sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2" || fail "not $2: $1"
}
tracked() {	# MAP-ID: 1 if the stats have rows for it
	ask "{\"op\": \"stats\", \"map_id\": $1}" |
	    python3 -c 'import json, sys; a = json.load(sys.stdin); print(1 if a["map_ids"] else 0)'
}

st=$(ask '{"op": "status"}')
check "$st" 'a["settings_origin"] == "lockprobe.conf"'
check "$st" 'a["settings"]["include"] == [] and a["settings"]["enabled"]'
check "$st" 'a["settings"]["range_budget"] == 4096 and a["rewalk_interval_sec"] == 600'
check "$st" 'a["maps_filtered"] == 0'
[ "$(tracked "$A")$(tracked "$B")$(tracked "$C")" = 111 ] || fail "not every map tracked at start"
ok "lockprobe.conf's settings in force at start, every map tracked"

good="{\"op\": \"apply\", \"target\": \"lockstat/web.json\", \"version\": 3, \"sha256\": \"$(printf '%064d' 0 | tr 0 a)\", \"collector\": {\"include\": [\"${P}_app_*\"], \"map_types\": [\"hash\", \"lru_hash\"], \"exclude\": [\"*_b\"], \"rewalk_interval_sec\": 300}}"
r=$(ask "$good")
check "$r" 'a["applied"] and a["error"] is None'
st=$(ask '{"op": "status"}')
check "$st" 'a["settings_origin"] == "lockstat/web.json (targets version 3)"'
check "$st" 'a["settings"]["map_types"] == ["hash", "lru_hash"] and a["settings"]["exclude"] == ["*_b"]'
check "$st" 'a["rewalk_interval_sec"] == 300 and a["settings"]["range_budget"] == 4096'
check "$st" 'a["maps_filtered"] >= 2'
[ "$(tracked "$A")$(tracked "$B")$(tracked "$C")" = 100 ] || fail "include, exclude and map types not applied: $(tracked "$A")$(tracked "$B")$(tracked "$C")"
log_has "config apply lockstat/web.json (targets version 3, sha256 a*): applied" || fail "apply not logged"
ok "remote include, exclude, map types: only ${P}_app_a tracked, $(echo "$st" | python3 -c 'import json,sys; print(json.load(sys.stdin)["maps_filtered"])') maps filtered"

# every bad field: refused, naming the field; the settings stay
while IFS='|' read -r req want; do
	r=$(ask "{\"op\": \"apply\", $req}")
	check "$r" "not a[\"applied\"] and a[\"error\"].startswith(\"$want\")"
done <<EOF
"collector": {"rewalk_interval_sec": 0}|rewalk_interval_sec: 0 is out of bounds
"collector": {"rewalk_interval_sec": 86401}|rewalk_interval_sec: 86401 is out of bounds
"collector": {"range_budget": 10}|range_budget: 10 is out of bounds
"collector": {"range_budget": 2000000}|range_budget: 2000000 is out of bounds
"collector": {"include": ["ok", "a/b"]}|include[1]: not a map name glob
"collector": {"exclude": ["$(printf '%065d' 0)"]}|exclude[0]: not a map name glob
"collector": {"map_types": ["hash", "hashmap"]}|map_types[1]: not a BPF map type
"collector": {"include": [$(seq -s, -f '"g%g"' 1 33)]}|include: 33 globs; at most 32
"product": "other", "collector": {}|product: 'other' is not handled
"product": "lockstat\u001b[2J", "collector": {}|product: not lockstat
"target": "lockstat/../../etc/passwd.json", "collector": {}|target: not a lockstat target name
"target": "other/x.json", "collector": {}|target: not a lockstat target name
"target": "lockstat/x.yaml", "collector": {}|target: not a lockstat target name
"version": 0, "collector": {}|version: 0 is not a version
"sha256": "ABC", "collector": {}|sha256: expected 64 lowercase hexadecimal digits
"sha256": "$(printf '%065d' 0)", "collector": {}|sha256: expected 64 lowercase hexadecimal digits
EOF
st=$(ask '{"op": "status"}')
check "$st" 'a["settings_origin"] == "lockstat/web.json (targets version 3)"'
check "$st" 'a["settings"]["include"] != [] and a["rewalk_interval_sec"] == 300'
[ "$(tracked "$A")$(tracked "$B")$(tracked "$C")" = 100 ] || fail "a refused apply changed the tracked maps"
[ "$(log_count "config apply [0-9]* refused: ")" -ge 16 ] || fail "refusals not logged"
ok "16 bad ConfigApply refused with the field named; the previous settings stay"

# more room than the programs have, and they cannot be loaded again (their
# asset was tampered with): refused, the old programs and settings stay
cp "$T/assets/contention.bpf.o" "$T/contention.good"
printf 'X' | dd of="$T/assets/contention.bpf.o" bs=1 seek=200 conv=notrunc 2>/dev/null
r=$(ask '{"op": "apply", "target": "lockstat/web.json", "version": 4, "collector": {"range_budget": 100000}}')
check "$r" 'not a["applied"] and a["error"].startswith("range_budget: the contention programs could not be loaded")'
st=$(ask '{"op": "status"}')
check "$st" 'a["settings"]["range_budget"] == 4096 and a["settings"]["include"] != []'
check "$st" 'a["settings_origin"] == "lockstat/web.json (targets version 3)"'
[ "$(tracked "$A")$(tracked "$B")$(tracked "$C")" = 100 ] || fail "a failed reload of the programs changed the tracked maps"
cp "$T/contention.good" "$T/assets/contention.bpf.o"
ok "programs that cannot be loaded again: refused ($(echo "$r" | python3 -c 'import json,sys; print(json.load(sys.stdin)["error"][:90])')...), all kept"

# more room than the programs were loaded for: they are loaded again
r=$(ask '{"op": "apply", "target": "lockstat/web.json", "version": 4, "collector": {"range_budget": 100000}}')
check "$r" 'a["applied"]'
log_has "contention programs replaced" || fail "programs not reloaded for a larger budget"
st=$(ask '{"op": "status"}')
check "$st" 'a["settings"]["range_budget"] == 100000 and a["settings"]["include"] == []'
check "$st" 'a["settings_origin"] == "lockstat/web.json (targets version 4)"'
[ "$(tracked "$A")$(tracked "$B")$(tracked "$C")" = 111 ] || fail "fields left out did not take lockprobe.conf's"
ok "range budget above the programs' room: reloaded; fields left out take lockprobe.conf's"

r=$(ask '{"op": "apply", "target": "lockstat/web.json", "version": 5, "collector": {"enabled": false}}')
check "$r" 'a["applied"]'
log_has "contention programs detached" || fail "not detached"
r=$(ask "{\"op\": \"stats\", \"map_id\": $A}")
check "$r" 'a["map_ids"] == [] and "disabled" in a["error"]'
check "$(ask '{"op": "status"}')" 'not a["settings"]["enabled"]'
r=$(ask '{"op": "apply", "target": "lockstat/web.json", "version": 6, "collector": {"enabled": true, "include": ["*_tmp_c"]}}')
check "$r" 'a["applied"]'
[ "$(tracked "$A")$(tracked "$B")$(tracked "$C")" = 001 ] || fail "not tracking again after enabled true"
ok "enabled false detaches the programs and stats say so; true attaches them again"

# SIGHUP: new local settings, the remote fields stay on top
LP_NETD_PATH=$T/fake-netd write_conf "range-budget 8192" "rewalk-interval 600" "map-exclude ${P}_tmp_*" "map-types hash"
kill -HUP "$PRIVD_PID"
wait_log "collector settings: enabled, rewalk-interval 600 s, range-budget 8192, 1 include, 1 exclude, 1 map types (from lockstat/web.json (targets version 6))"
st=$(ask '{"op": "status"}')
check "$st" 'a["settings_origin"] == "lockstat/web.json (targets version 6)"'
check "$st" 'a["settings"]["include"] == ["*_tmp_c"] and a["settings"]["exclude"] == ["'"${P}"'_tmp_*"]'
[ "$(tracked "$C")" = 0 ] || fail "lockprobe.conf's new exclude not applied under the remote include"
ok "SIGHUP reload: local settings changed, remote fields kept"

r=$(ask '{"op": "apply", "target": "lockstat/web.json", "version": 7}')
check "$r" 'a["applied"]'
st=$(ask '{"op": "status"}')
check "$st" 'a["settings_origin"] == "lockprobe.conf" and a["settings"]["include"] == []'
check "$st" 'a["settings"]["map_types"] == ["hash"] and a["settings"]["range_budget"] == 8192'
[ "$(tracked "$A")$(tracked "$B")$(tracked "$C")" = 100 ] || fail "revert: not lockprobe.conf's filters"
ok "ConfigApply without settings reverts to lockprobe.conf"

D=$(pin_map "${P}_app_d" hash)
# requested walks are limited to one a second: the revert's walk may be
# less than that ago
for _ in 1 2 3 4 5 6 7 8 9 10; do
	r=$(ask '{"op": "rewalk"}')
	case $r in *"less than a second ago"*) sleep 0.5 ;; *) break ;; esac
done
check "$r" 'a["error"] is None and a["maps"] >= 3'
[ "$(tracked "$D")" = 1 ] || fail "rewalk did not find map $D"
ok "rewalk request: the new map $D is tracked"

# a netd that floods applies is held back; lockprobed keeps answering
i=0
while [ $i -lt 60 ]; do
	timeout 20 sh -c 'echo "$1" > "$2"' - '{"op": "apply", "version": 0}' "$T/cmd" || fail "flood"
	i=$((i + 1))
done
wait_for 20 "60 answers" sh -c "[ \$(grep -c 'version: 0\|config apply: more than' '$T/out') -ge 60 ]"
grep -q 'config apply: more than 32 in a burst' "$T/out" || fail "60 applies in a row were not rate limited"
ok "ConfigApply rate limited"
finish
