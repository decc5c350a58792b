#!/bin/busybox sh
# shellcheck shell=dash
# /init of a kernel-matrix guest (tests/kernels/kmatrix.sh builds the
# initramfs around it).  Sets up a small system and runs run-tests.sh,
# which reports to the host on the second serial port (ttyS1).  The
# console (ttyS0) carries the kernel's messages and the tests' output.

/bin/busybox mkdir -p /bin /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin

mkdir -p /proc /sys /dev /tmp /run /var/tmp
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=755 tmpfs /run
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t bpf bpf /sys/fs/bpf 2>/dev/null
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
ip link set lo up
hostname lp-guest

# shellcheck source=/dev/null
. /lp/guest.env
# the guest runs under qemu's TCG: timings are looser (check_contention),
# and everything takes longer (Check's per-test timeouts)
export LP_EMULATED=1 CK_TIMEOUT_MULTIPLIER=4
# a guest of the matrix: native queued spinlocks on 4 vCPUs, so spinlock
# contention must show, on every map hammered (check_contention)
export LP_KMATRIX_GUEST=1 LP_REQUIRE_EVERY_SPIN=1
export CI top_builddir top_srcdir

# the report channel: raw, so lines arrive as written
stty -F /dev/ttyS1 raw -echo 2>/dev/null
exec 3>/dev/ttyS1

cd /lp || exit 1
# shellcheck disable=SC2034 # read by run-tests.sh
tests_file=/lp/guest-tests
# shellcheck source=tests/kernels/run-tests.sh
. /lp/tests/kernels/run-tests.sh
sync
reboot -f
