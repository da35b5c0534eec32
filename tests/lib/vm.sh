# SPDX-License-Identifier: GPL-2.0
#
# Helpers for tests that run in the test VM (tools/vm).  There is no udev in
# the VM: these helpers load the SCSI upper-level drivers themselves, and
# dmsetup creates its own device nodes (DM_DISABLE_UDEV=1).  See
# tests/README.md.

export DM_DISABLE_UDEV=1

# devname DEV: the kernel name of a block device node (sda, dm-0), read
# from the uevent file of its number (one program started: stat).
devname() {
	local dev=$1 mm key val

	[ -b "$dev" ] || fail "$dev is not a block device"
	mm=$(stat -L -c %t:%T "$dev")
	while IFS='=' read -r key val; do
		[ "$key" = DEVNAME ] && { echo "$val"; return 0; }
	done < "/sys/dev/block/$((0x${mm%:*})):$((0x${mm#*:}))/uevent"
	fail "no kernel name for $dev ($mm)"
}

# scsi_disks_of MODEL: the /dev nodes of the SCSI disks whose INQUIRY product
# is MODEL, in H:C:T:L order.
scsi_disks_of() {
	local model=$1 d

	for d in /sys/class/scsi_disk/*; do
		[ -e "$d" ] || continue
		[ "$(tr -d ' ' < "$d/device/model")" = "$model" ] || continue
		echo "/dev/$(ls "$d/device/block")"
	done
}

# wait_for_disks MODEL COUNT: wait until COUNT disks of MODEL are there.
wait_for_disks() {
	local model=$1 count=$2 i

	for i in $(seq 100); do
		[ "$(scsi_disks_of "$model" | wc -l)" -ge "$count" ] && return 0
		sleep 0.1
	done
	fail "$count $model disk(s) did not appear"
}

# sd_load PARAM=VAL...: load scsi_debug and print its disk(s).
#
# scsi_debug in 6.1 does not update its stored protection information on
# WRITE SAME, so a range the block layer zeroes that way fails its guard
# check when read back.  Setting max_write_same_blocks to 0 makes the block
# layer write zeroes with ordinary WRITEs, which carry PI.
sd_load() {
	local count=1 p d

	for p in "$@"; do
		case $p in
		num_tgts=*) count=$((count * ${p#*=})) ;;
		max_luns=*) count=$((count * ${p#*=})) ;;
		esac
	done
	modprobe sd_mod || fail "cannot load sd_mod"
	modprobe sg || fail "cannot load sg"
	modprobe scsi_debug "$@" || fail "cannot load scsi_debug $*"
	wait_for_disks scsi_debug "$count"
	for d in /sys/class/scsi_disk/*; do
		[ "$(tr -d ' ' < "$d/device/model")" = scsi_debug ] &&
			echo 0 > "$d/max_write_same_blocks"
	done
	scsi_disks_of scsi_debug
}

sd_unload() {
	if lsmod | grep -q '^scsi_debug '; then
		rmmod scsi_debug || fail "cannot unload scsi_debug"
	fi
}

# nvme_disk TYPE: the emulated NVMe namespace with T10 PI type TYPE (1 or 3,
# CRC guard) that the test VM attaches (tools/vm --nvme-pi); loads the nvme
# driver and prints the namespace's node.  Skips the test when the VM has
# no such namespace.
#
# Discard is turned off on it: QEMU zeroes the metadata of the blocks it
# deallocates, and a block that it still counts as allocated (its backing
# file is allocated in 4 KiB units) then fails its reference tag check when
# read, as mkfs does right after discarding the device.
nvme_disk() {
	local type=$1 i d want=T10-DIF-TYPE$1-CRC

	grep -qx 0x010802 /sys/bus/pci/devices/*/class 2>/dev/null ||
		skip "no NVMe controller in the VM (tools/vm --nvme-pi)"
	modprobe nvme || fail "cannot load nvme"
	for i in $(seq 100); do
		for d in /sys/block/nvme*n*; do
			[ -r "$d/integrity/format" ] || continue
			[ "$(cat "$d/integrity/format")" = "$want" ] || continue
			echo 0 > "$d/queue/discard_max_bytes"
			echo "/dev/${d##*/}"
			return 0
		done
		sleep 0.1
	done
	skip "no NVMe namespace with $want in the VM (tools/vm --nvme-pi $type)"
}

# stpi_load: load dm-stablepi.ko from the repository with its dependencies.
stpi_load() {
	local m

	for m in dm-mod t10-pi crc-t10dif; do
		modprobe "$m" || fail "cannot load $m"
	done
	lsmod | grep -q '^dm_stablepi ' && return 0
	insmod "$STPI_SRC/dm-stablepi/dm-stablepi.ko" "$@" ||
		fail "cannot load dm-stablepi.ko $*"
}

stpi_unload() {
	if lsmod | grep -q '^dm_stablepi '; then
		rmmod dm_stablepi || fail "cannot unload dm_stablepi"
	fi
}

# dm_create NAME TABLE: create a dm device, print its node.
dm_create() {
	local name=$1 table=$2

	modprobe dm-mod || fail "cannot load dm-mod"
	dmsetup create "$name" --table "$table" ||
		fail "dmsetup create $name '$table' failed"
	[ -b "/dev/mapper/$name" ] || dmsetup mknodes "$name"
	echo "/dev/mapper/$name"
}

dm_remove() {
	dmsetup remove "$1" || fail "dmsetup remove $1 failed"
}

# integrity_profile DEV: the integrity format of DEV, "none" without one.
integrity_profile() {
	local f

	f=/sys/block/$(devname "$1")/integrity/format
	[ -r "$f" ] || fail "no $f"
	cat "$f"
}

# mkfs_mount FS DEV DIR: make a filesystem and mount it.
mkfs_mount() {
	local fs=$1 dev=$2 dir=$3

	mkdir -p "$dir"
	case $fs in
	ext4) mkfs.ext4 -q -F "$dev" || fail "mkfs.ext4 $dev failed" ;;
	xfs) mkfs.xfs -q -f "$dev" || fail "mkfs.xfs $dev failed" ;;
	*) fail "mkfs_mount: unknown filesystem '$fs'" ;;
	esac
	mount -t "$fs" "$dev" "$dir" || fail "mount -t $fs $dev $dir failed"
}

# fio_verify NAME ARGS...: one fio job with verify=crc32c.  ARGS are fio
# options (--filename=... or --directory=..., --rw=..., --direct=...,
# --size=..., --bs=...).  With --direct=1 the job writes and reads back from
# the device in one run; otherwise it writes, the page cache is dropped, and
# a second run reads everything back from the device and verifies it.  So
# the device's own protection checks see both directions.  Fails on any I/O
# or verify error.
fio_verify() {
	local name=$1 out rc passes=(write verify) pass extra

	shift
	[[ " $* " == *" --direct=1 "* ]] && passes=(both)
	for pass in "${passes[@]}"; do
		case $pass in
		write) extra=(--do_verify=0) ;;
		verify) extra=(--verify_only) ;;
		both) extra=(--do_verify=1) ;;
		esac
		rc=0
		out=$(fio --name="$name" --ioengine=psync --bs=4k --verify=crc32c \
			--verify_fatal=1 --unlink=0 --end_fsync=1 --invalidate=1 "$@" "${extra[@]}" 2>&1) || rc=$?
		echo "$out"
		[ "$rc" -eq 0 ] || fail "fio $name ($pass pass) failed (exit $rc)"
		if grep -Eq 'verify: bad|err=[ ]*[1-9]|Input/output error|Invalid or incomplete multibyte' <<< "$out"; then
			fail "fio $name ($pass pass) reported errors"
		fi
		# fio drops the job's files from the page cache when it opens
		# them (invalidate=1), so the verify pass reads the device.  Not
		# drop_caches: it would also drop every program's pages, which
		# each later exec reads again from the root (9p, squashfs).
		sync
	done
}

# integrity_smoke DISK PROFILE: PROFILE is the integrity format of DISK and of
# a dm-linear device over it, and ext4 and xfs on that dm-linear device each
# pass mkfs, mount, and fio verify=crc32c writes (sequential direct, random
# buffered) read back from the device.  The runner's kernel log scan fails the
# test on any protection error.
integrity_smoke() {
	local disk=$1 want=$2 lin fs got

	got=$(integrity_profile "$disk")
	[ "$got" = "$want" ] || fail "integrity profile of $disk is '$got', not '$want'"
	report "$disk: $got"
	lin=$(dm_create smoke-linear "0 $(blockdev --getsz "$disk") linear $disk 0")
	got=$(integrity_profile "$lin")
	[ "$got" = "$want" ] || fail "integrity profile of dm-linear $lin is '$got', not '$want'"
	report "dm-linear over it: $got"
	for fs in ext4 xfs; do
		mkfs_mount "$fs" "$lin" /mnt/smoke
		fio_verify seq-direct --directory=/mnt/smoke --rw=write --bs=64k \
			--size=16m --direct=1
		fio_verify rand-buffered --directory=/mnt/smoke --rw=randwrite \
			--size=8m --direct=0
		umount /mnt/smoke || fail "umount /mnt/smoke failed"
		report "$fs: mkfs, mount, fio verify=crc32c (seq direct, random buffered): ok"
	done
	dm_remove smoke-linear
}

# kmsg_lines ERE: the kernel log lines matching ERE (for positive controls).
kmsg_lines() {
	dmesg | grep -E "$1" || true
}

# Tracing.  The VM boots with the trace events the tests record enabled
# (tools/vm: trace_event=), and recording off.  A test records them by
# switching the ring buffer on and off, which changes no code: switching an
# event itself patches its call sites, which under TCG can wedge the guest
# while the other CPU runs them (tools/vm explains).
TRACEFS=/sys/kernel/tracing

# trace_start EVENT...: empty the trace and record from now on; each EVENT
# (system/name) must be one tools/vm enabled at boot.
trace_start() {
	local e

	for e in "$@"; do
		[ "$(cat "$TRACEFS/events/$e/enable")" = 1 ] ||
			fail "trace event $e is not enabled: the test VM enables it at boot (tools/vm, trace_event=)"
	done
	: > "$TRACEFS/trace"
	echo 1 > "$TRACEFS/tracing_on"
}

# trace_stop: stop recording; the trace keeps what was recorded.
trace_stop() {
	echo 0 > "$TRACEFS/tracing_on"
}

. "$STPI_SRC/tests/lib/stablepi.sh"
[ -r "$STPI_SRC/tests/lib/sdext.sh" ] && . "$STPI_SRC/tests/lib/sdext.sh"
true
