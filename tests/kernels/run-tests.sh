# shellcheck shell=sh disable=SC2154 # the sourcing script sets them
# Sourced with the tests file's path in tests_file and the report channel
# open on descriptor 3: by guest-init.sh inside a kernel-matrix guest, and by
# kmatrix.sh on the host for the host's row.  Records the kernel's
# features, runs every test listed in the file once, from the current
# directory, and reports one line each on descriptor 3:
#
#   LP boot UPTIME
#   LP fact KEY VALUE...
#   LP begin NAME
#   LP result NAME PASS|FAIL|SKIP EXIT-STATUS SECONDS
#   LP done UPTIME
#
# A test's own "LPFACT KEY VALUE" output lines become "LP fact" lines.
# Tracefs must be mounted at /sys/kernel/tracing.

uptime_s() {
	cut -d' ' -f1 /proc/uptime
}

report() {
	echo "LP $*" >&3
}

fact() {
	report fact "$@"
	echo "kmatrix fact: $*"
}

report boot "$(uptime_s)"

# --- what this kernel offers ---------------------------------------------
T=/sys/kernel/tracing
fact release "$(uname -r)"
fact cpus "$(grep -c '^processor' /proc/cpuinfo)"
fact mem_kib "$(awk '/^MemTotal/ { print $2 }' /proc/meminfo)"
if grep -qw hypervisor /proc/cpuinfo; then
	fact cpuid_hypervisor_bit visible
else
	fact cpuid_hypervisor_bit hidden
fi
hv=$(dmesg | grep -m1 'Hypervisor detected' | sed 's/.*Hypervisor detected: *//')
fact hypervisor_detected "${hv:-none}"
if dmesg | grep -q 'PV spinlocks enabled'; then
	fact pv_spinlocks enabled
else
	fact pv_spinlocks "not enabled"
fi
# shellcheck disable=SC2016 # expanded by the user's shell
who=$(su -s /bin/sh -c 'echo "$(id -un) uid $(id -u)"' _lockprobe 2>&1)
fact nonroot_user "$who"
lo=$(ip -4 -o addr show dev lo 2>&1 | awk '{ print $4 }')
if ip -o link show dev lo | grep -q 'UP'; then
	fact loopback "up ${lo:-(no IPv4 address)}"
else
	fact loopback down
fi
if [ -r /sys/kernel/btf/vmlinux ]; then
	fact btf "yes ($(wc -c < /sys/kernel/btf/vmlinux) bytes)"
else
	fact btf no
fi
if [ ! -e $T/kprobe_events ]; then
	fact kprobes "no (no kprobe_events in tracefs)"
elif echo 'p:lpkm/probe bpf_map_put' >> $T/kprobe_events 2>/dev/null; then
	echo '-:lpkm/probe' >> $T/kprobe_events
	fact kprobes "yes (kprobe on bpf_map_put created)"
else
	fact kprobes "no (creating a kprobe on bpf_map_put failed)"
fi
ndata=$(grep -c ' [dDbBrR] ' /proc/kallsyms)
if grep -q ' bpf_map_fops$' /proc/kallsyms; then
	fact kallsyms_all "yes ($ndata data symbols, bpf_map_fops present)"
else
	fact kallsyms_all "no ($ndata data symbols, bpf_map_fops absent)"
fi
if [ -d $T/events/lock/contention_begin ] &&
    [ -d $T/events/lock/contention_end ]; then
	fact lock_tracepoints yes
else
	fact lock_tracepoints no
fi

# --- the guest tests -------------------------------------------------------
out=${TMPDIR:-/tmp}/lp-kmatrix.$$
mkdir -p "$out" || exit 1
grep -v -e '^#' -e '^[[:space:]]*$' "$tests_file" | while read -r name cmd; do
	report begin "$name"
	echo "===== kmatrix: $name: $cmd"
	t0=$(uptime_s)
	# the output goes to the console as it comes (a kernel crash must
	# not swallow it) and to a file for the LPFACT lines
	# shell tests run under bash, as make check runs them (SH_LOG_COMPILER)
	case ${cmd%% *} in
	*.sh) shell=bash ;;
	*) shell= ;;
	esac
	# a program of the build tree, or a script of the source tree
	[ -e "./${cmd%% *}" ] && cmd=./$cmd || cmd=$top_srcdir/$cmd
	{
		# shellcheck disable=SC2086 # cmd is a command line
		timeout "${LP_GUEST_TEST_TIMEOUT:-600}" $shell $cmd < /dev/null 2>&1
		echo $? > "$out/$name.rc"
	} | tee "$out/$name.out"
	rc=$(cat "$out/$name.rc")
	t1=$(uptime_s)
	sed -n 's/^LPFACT //p' "$out/$name.out" | while read -r k v; do
		report fact "$k" "$v"
	done
	case $rc in
	0) st=PASS ;;
	77) st=SKIP ;;
	*) st=FAIL ;;
	esac
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	echo "===== kmatrix: $name: $st (exit $rc, $secs s)"
	report result "$name" "$st" "$rc" "$secs"
done

report "done" "$(uptime_s)"
rm -rf "$out"
