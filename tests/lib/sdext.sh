# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the tests of scsi_debug_ext (tests/sdext), sourced by
# tests/lib/vm.sh inside the test VM.  See docs/scsi_debug_ext.rst.

SDEXT_KO=$STPI_SRC/scsi_debug_ext/scsi_debug_ext.ko

# sdext_load PARAM=VAL...: load scsi_debug_ext.ko from the repository with
# these parameters (sd_mod, sg and crc-t10dif first) and print its disk(s),
# one /dev node per line in target order.
sdext_load() {
	local count=1 p m

	for p in "$@"; do
		case $p in
		num_disks=*) count=${p#*=} ;;
		esac
	done
	[ -r "$SDEXT_KO" ] || skip "scsi_debug_ext.ko not built"
	for m in sd_mod sg crc-t10dif; do
		modprobe "$m" || fail "cannot load $m"
	done
	insmod "$SDEXT_KO" "$@" || fail "cannot load scsi_debug_ext.ko $*"
	wait_for_disks scsi_debug_ext "$count"
	scsi_disks_of scsi_debug_ext
}

sdext_unload() {
	if lsmod | grep -q '^scsi_debug_ext '; then
		rmmod scsi_debug_ext || fail "cannot unload scsi_debug_ext"
	fi
}

# sdext_attr DEV NAME: the path of the sysfs attribute NAME of disk DEV.
sdext_attr() {
	echo "/sys/block/$(devname "$1")/device/sdext/$2"
}

# sdext_get DEV NAME: read the sysfs attribute NAME of disk DEV.
sdext_get() {
	local f

	f=$(sdext_attr "$1" "$2")
	[ -r "$f" ] || fail "no $f"
	cat "$f"
}

# sdext_set DEV NAME VALUE: write the sysfs attribute NAME of disk DEV.
sdext_set() {
	local f

	f=$(sdext_attr "$1" "$2")
	echo "$3" > "$f" || fail "cannot write $3 to $f"
}

# sdext_counters DEV: the counters of DEV as NAME=VALUE words on one line.
sdext_counters() {
	local n line=

	for n in reads writes dix_reads dix_writes write_same unmap \
		 guard_errors app_errors ref_errors deferred aborts resets; do
		line+="$n=$(sdext_get "$1" "$n") "
	done
	echo "${line% }"
}

# sdext_sg DEV: the SCSI generic node of disk DEV.
sdext_sg() {
	local d

	d=$(ls "/sys/block/$(devname "$1")/device/scsi_generic")
	[ -c "/dev/$d" ] || fail "no /dev/$d for $1"
	echo "/dev/$d"
}
