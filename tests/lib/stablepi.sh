# SPDX-License-Identifier: GPL-2.0
#
# Helpers for dm-stablepi tests in the VM (sourced by tests/lib/vm.sh).

# The counters of "dmsetup status", in order (docs/dm-stablepi.rst).
STPI_STATS=(writes write_bytes intervals changed_dispatch changed_completion
	    lower_pi_errors read_pi_errors absorbed repaired retry_failed
	    changed_failed reads read_bytes lower_errors deferred reissued
	    expedited)

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

# stpi_counter STATUS_LINE COUNTER: one counter of a status line as
# "dmsetup status" or dmbatch's "out:" line prints it (start, length,
# "stablepi", then the counters).
stpi_counter() {
	local line=$1 counter=$2 i

	read -ra f <<< "${line#* out: }"
	for i in "${!STPI_STATS[@]}"; do
		if [ "${STPI_STATS[$i]}" = "$counter" ]; then
			echo "${f[$((i + 3))]}"
			return 0
		fi
	done
	fail "stpi_counter: unknown counter '$counter'"
}

# stpi_stat NAME COUNTER: one counter of NAME's status line.
stpi_stat() {
	local line

	line=$(dmsetup status "$1") || fail "dmsetup status $1 failed"
	stpi_counter "$line" "$2"
}

# stpi_violations NAME: violations seen at dispatch plus at completion.
stpi_violations() {
	local line

	line=$(dmsetup status "$1") || fail "dmsetup status $1 failed"
	echo $(($(stpi_counter "$line" changed_dispatch) + $(stpi_counter "$line" changed_completion)))
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

# wac_completed_per_s: O_DIRECT writes completed per second in the last
# wac_run, failed ones included.
wac_completed_per_s() {
	awk -v n=$(($(wac_kv dio_writes) + $(wac_kv dio_errors))) -v t="$(wac_kv duration_s)" \
		'BEGIN { printf "%d", n / t }'
}

# dix_mode_run MODE: dio-scribble on a stablepi device in MODE (hold_us:1000)
# over scsi_debug dif=3 dix=199; leaves the device "spi" for the caller's
# checks and reports the counters.
dix_mode_run() {
	local mode=$1 disk dev

	disk=$(lower_load 64 3-crc)
	stpi_load
	dev=$(stpi_create spi "$disk" "mode:$mode" hold_us:1000)
	wac_run --file "$dev" --dio-scribble --size 16m --duration 3 > "$STPI_TMP/wac.log"
	report "$mode: violations $(stpi_violations spi), lower protection errors $(stpi_stat spi lower_pi_errors), wac errors $(wac_kv io_errors), absorbed $(stpi_stat spi absorbed), repaired $(stpi_stat spi repaired), $(wac_completed_per_s) writes/s completed"
}

# lower_load SIZE_MB PI [PARAM=VAL...]: load the disk under a stablepi test
# and print it.  PI is "none" or TYPE-GUARD (1-crc, 1-ip, 3-crc, 3-ip);
# PARAMs (sector_size=4096) are passed on.  The disk is scsi_debug, or
# scsi_debug_ext with STPI_LOWER=sdext (then with a late DMA of
# STPI_SDEXT_DMA_US, default 100 us), or with STPI_LOWER=nvme the VM's
# emulated NVMe namespace of that PI type (whatever SIZE_MB; the test is
# skipped for what NVMe PI cannot be: no PI, IP guards, other sector sizes).
lower_load() {
	local size=$1 pi=$2 type= guard= params=() p

	shift 2
	if [ "$pi" != none ]; then
		type=${pi%-*}
		guard=$([ "${pi#*-}" = ip ] && echo 1 || echo 0)
	fi
	case ${STPI_LOWER:-scsi_debug} in
	scsi_debug)
		params=(dev_size_mb="$size" delay=0)
		# dix=199 as in the original reports; any non-zero value enables DIX.
		[ -n "$type" ] && params+=(dif="$type" dix=$([ "$type" = 3 ] && echo 199 || echo 1) guard="$guard")
		sd_load "${params[@]}" "$@"
		;;
	sdext)
		params=(dev_size_mb="$size" dma_delay_us="${STPI_SDEXT_DMA_US:-100}")
		if [ -n "$type" ]; then
			params+=(dif="$type" dix=1 guard="$guard")
		else
			params+=(dif=0 dix=0)
		fi
		sdext_load "${params[@]}" "$@"
		;;
	nvme)
		[ -n "$type" ] || skip "the NVMe backend has PI namespaces only"
		[ "$guard" = 0 ] || skip "NVMe PI has CRC guards only"
		for p in "$@"; do
			[ "$p" = sector_size=512 ] || skip "NVMe backend: $p not supported"
		done
		nvme_disk "$type"
		;;
	*)
		fail "STPI_LOWER='$STPI_LOWER': expected scsi_debug, sdext or nvme"
		;;
	esac
}

lower_unload() {
	case ${STPI_LOWER:-scsi_debug} in
	scsi_debug) sd_unload ;;
	sdext) sdext_unload ;;
	nvme) ;;	# the namespace belongs to the VM
	esac
}

# run_controls LOWER TEST...: run each TEST (group/name, a test whose disk
# comes from lower_load) as it runs on its own, with STPI_LOWER=LOWER; fails
# on the first that fails or leaves a dm device behind.  A TEST that skips
# itself (what LOWER cannot do) is reported; controls_skipped counts them.
run_controls() {
	local lower=$1 t rc

	shift
	export STPI_LOWER=$lower
	controls_skipped=0
	for t in "$@"; do
		echo "=== $t over $lower"
		report "== $t"
		rc=0
		STPI_SKIP=$STPI_TMP/skip bash "$STPI_SRC/tests/lib/run-one" "$STPI_SRC/tests/$t" || rc=$?
		case $rc in
		0) ;;
		77) report "skipped: $(cat "$STPI_TMP/skip")"
		    controls_skipped=$((controls_skipped + 1)) ;;
		*) fail "$t failed over $lower (exit $rc)" ;;
		esac
		dmsetup info -c --noheadings -o name 2>/dev/null | grep -qv 'No devices' &&
			fail "$t left a dm device behind"
		lower_unload
	done
	[ "$controls_skipped" -lt $# ] || fail "every control skipped itself over $lower"
}

# The kernel log lines a lower disk writes when it rejects a guard tag.
LOWER_GUARD_LOG='GUARD check failed|protection error, dev|[Gg]uard check failed'
