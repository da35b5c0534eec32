# SPDX-License-Identifier: GPL-2.0
#
# Helpers for dm-stablepi tests in the VM (sourced by tests/lib/vm.sh).

# The counters of "dmsetup status", in order (docs/dm-stablepi.rst).
STPI_STATS=(writes write_bytes intervals changed_dispatch changed_completion
	    lower_pi_errors read_pi_errors absorbed repaired retry_failed
	    changed_failed reads read_bytes lower_errors deferred reissued)

# stpi_create NAME DISK [OPT...]: a stablepi device over all of DISK with the
# optional parameters OPT (key:value words); prints its node.
stpi_create() {
	local name=$1 disk=$2 sz

	shift 2
	sz=$(blockdev --getsz "$disk")
	if [ $# -gt 0 ]; then
		dm_create "$name" "0 $sz stablepi $disk 0 $# $*"
	else
		dm_create "$name" "0 $sz stablepi $disk 0"
	fi
}

# stpi_stat NAME COUNTER: one counter of NAME's status line.
stpi_stat() {
	local name=$1 counter=$2 i line

	line=$(dmsetup status "$name") || fail "dmsetup status $name failed"
	read -ra f <<< "$line"
	for i in "${!STPI_STATS[@]}"; do
		if [ "${STPI_STATS[$i]}" = "$counter" ]; then
			echo "${f[$((i + 3))]}"
			return 0
		fi
	done
	fail "stpi_stat: unknown counter '$counter'"
}

# stpi_violations NAME: violations seen at dispatch plus at completion.
stpi_violations() {
	echo $(($(stpi_stat "$1" changed_dispatch) + $(stpi_stat "$1" changed_completion)))
}

# stpi_records NAME [N]: the newest N violation records (default 16).
stpi_records() {
	dmsetup message "$1" 0 violations "${2:-16}" | grep '^seq='
}

# wac_run ARGS...: run wac, print its output, keep its "wac:" line in
# $STPI_TMP/wac.kv for wac_kv.
wac_run() {
	local out rc=0

	out=$(wac "$@" 2>&1) || rc=$?
	echo "$out"
	[ "$rc" -eq 0 ] || fail "wac $* exited $rc"
	grep '^wac:' <<< "$out" > "$STPI_TMP/wac.kv" || fail "wac printed no wac: line"
}

# wac_kv KEY: a value from the last wac_run.
wac_kv() {
	kv "$1" < "$STPI_TMP/wac.kv"
}

# dix_mode_run MODE: dio-scribble on a stablepi device in MODE (hold_us:1000)
# over scsi_debug dif=3 dix=199; leaves the device "spi" for the caller's
# checks and reports the counters.
dix_mode_run() {
	local mode=$1 disk dev

	disk=$(sd_load dev_size_mb=64 dif=3 dix=199 delay=0)
	stpi_load
	dev=$(stpi_create spi "$disk" "mode:$mode" hold_us:1000)
	wac_run --file "$dev" --dio-scribble --size 16m --duration 3 > "$STPI_TMP/wac.log"
	report "$mode: violations $(stpi_violations spi), lower protection errors $(stpi_stat spi lower_pi_errors), wac errors $(wac_kv io_errors), absorbed $(stpi_stat spi absorbed), repaired $(stpi_stat spi repaired), $(wac_kv dio_writes_per_s) writes/s"
}
