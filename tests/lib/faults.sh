# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the fault, suspend and load tests (tests/faults, tests/soak),
# inside the test VM.  A test sources this file in test_main, after
# tests/lib/vm.sh.

DMBATCH=$STPI_SRC/tools/dmbatch/dmbatch

# dmb SCRIPT OUT: run the dmbatch SCRIPT (device-mapper commands, one
# process, the kernel log lines of each command) with its output in OUT.
# A failed command is reported in OUT; a malformed script fails the test.
dmb() {
	local rc=0

	[ -x "$DMBATCH" ] || fail "$DMBATCH is not built (make -C tools)"
	"$DMBATCH" -k "$1" > "$2" 2> "$2.err" || rc=$?
	[ "$rc" -eq 0 ] || fail "dmbatch $1 exited $rc: $(cat "$2.err")"
}

# dmb_failed OUT: how many commands of a dmbatch run failed.
dmb_failed() {
	sed -n 's/^dmbatch: .* failed=\([0-9]*\)$/\1/p' "$1"
}

# mem_free_kb: free memory in kB after dropping the caches, counting the
# pages parked on the per-CPU free lists (MemFree leaves them out, and they
# swing by tens of MB).
mem_free_kb() {
	local memfree

	sync
	echo 3 > /proc/sys/vm/drop_caches
	memfree=$(awk '/^MemFree:/ { print $2 }' /proc/meminfo)
	awk -v f="$memfree" '$1 == "count:" { p += $2 } END { print f + p * 4 }' /proc/zoneinfo
}

# slab_kb: unreclaimable slab memory in kB (kmalloc, bios, mempools'
# elements...), after dropping the caches.
slab_kb() {
	sync
	echo 3 > /proc/sys/vm/drop_caches
	awk '/^SUnreclaim:/ { print $2 }' /proc/meminfo
}

# slab_snapshot FILE: the bytes of objects in use in each slab cache (SLUB
# counts the objects of the per-CPU slabs as in use), one "cache bytes"
# line per cache, after dropping the caches.
slab_snapshot() {
	sync
	echo 3 > /proc/sys/vm/drop_caches
	awk 'NR > 2 { print $1, $2 * $4 }' /proc/slabinfo > "$1"
}

# slab_growth BEFORE AFTER: the caches that grew from snapshot BEFORE to
# AFTER, "cache kB" lines, the largest growth first.
slab_growth() {
	awk 'NR == FNR { b[$1] = $2; next }
	     $2 > b[$1] { printf "%s %d\n", $1, ($2 - b[$1]) / 1024 }' "$1" "$2" |
		sort -k2,2 -rn
}

# --- background load ---------------------------------------------------------
#
# load_start DIR: two loops of fio passes on files in DIR until load_stop,
# each pass checked with verify=crc32c:
#   direct    O_DIRECT random writes (libaio, 8 in flight), then the whole
#             file read back from the device and verified in the same pass
#   buffered  buffered random writes and an fsync, the page cache dropped,
#             then a verify-only pass that reads the file from the device
# A pass that fails is kept in $STPI_TMP/load.NAME.fail; load_stop fails
# the test then.

LOAD_DIRECT=(--rw=randwrite --bs=16k --size=2m --direct=1 --ioengine=libaio
	     --iodepth=8 --verify=crc32c --verify_fatal=1 --do_verify=1)
LOAD_BUFFERED=(--rw=randwrite --bs=4k --size=2m --direct=0 --ioengine=psync
	       --verify=crc32c --verify_fatal=1)
LOAD_BAD_RE='verify: bad|err=[ ]*[1-9]|Input/output error|Invalid or incomplete multibyte'

# _load_pass NAME LOG ARGS...: one fio run; returns non-zero on any error.
_load_pass() {
	local name=$1 log=$2 rc=0

	shift 2
	fio --name="$name" --unlink=0 "$@" > "$log" 2>&1 || rc=$?
	[ "$rc" -eq 0 ] && ! grep -Eq "$LOAD_BAD_RE" "$log"
}

_load_loop() {
	local kind=$1 dir=$2 n=0 log=$STPI_TMP/load.$1.log

	while [ ! -e "$STPI_TMP/load.stop" ]; do
		case $kind in
		direct)
			_load_pass direct "$log" --directory="$dir" "${LOAD_DIRECT[@]}" ||
				{ cp "$log" "$STPI_TMP/load.direct.fail"; return 0; }
			;;
		buffered)
			_load_pass buffered "$log" --directory="$dir" "${LOAD_BUFFERED[@]}" \
				--do_verify=0 --end_fsync=1 ||
				{ cp "$log" "$STPI_TMP/load.buffered.fail"; return 0; }
			echo 1 > /proc/sys/vm/drop_caches
			_load_pass buffered "$log" --directory="$dir" "${LOAD_BUFFERED[@]}" \
				--verify_only ||
				{ cp "$log" "$STPI_TMP/load.buffered.fail"; return 0; }
			;;
		esac
		n=$((n + 1))
		echo "$n" > "$STPI_TMP/load.$kind.passes"
	done
}

load_start() {
	local dir=$1 kind

	rm -f "$STPI_TMP"/load.*
	LOAD_PIDS=()
	for kind in direct buffered; do
		echo 0 > "$STPI_TMP/load.$kind.passes"
		_load_loop "$kind" "$dir" &
		LOAD_PIDS+=($!)
	done
}

# load_passes KIND: the passes KIND (direct, buffered) finished so far.
load_passes() {
	cat "$STPI_TMP/load.$1.passes"
}

# load_failed: true when a pass failed (its log is printed).
load_failed() {
	local f r=1

	for f in "$STPI_TMP"/load.*.fail; do
		[ -e "$f" ] || continue
		echo "--- failed load pass: $f"
		cat "$f"
		r=0
	done
	return $r
}

# load_stop: end both loops after their current pass; fail on any failure.
load_stop() {
	touch "$STPI_TMP/load.stop"
	wait "${LOAD_PIDS[@]}" || true
	! load_failed || fail "a fio pass of the background load failed (see above)"
}

# load_verify DIR: verify what the last passes left in DIR, read from the
# device (call it after a remount).
load_verify() {
	local dir=$1 log=$STPI_TMP/load.final.log

	_load_pass direct "$log" --directory="$dir" "${LOAD_DIRECT[@]/--do_verify=1/--verify_only}" ||
		{ cat "$log"; fail "the direct load's file does not verify"; }
	_load_pass buffered "$log" --directory="$dir" "${LOAD_BUFFERED[@]}" --verify_only ||
		{ cat "$log"; fail "the buffered load's file does not verify"; }
}
