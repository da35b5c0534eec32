# SPDX-License-Identifier: GPL-2.0
# Helpers of the fstests tests (VM): fstests over stablepi devices, as
# tools/fstests runs it, inside the test VM of make check.

# fst_require: skip unless tests/run built fstests for this run.
fst_require() {
	[ -z "${STPI_FSTESTS_ERROR:-}" ] || fail "$STPI_FSTESTS_ERROR"
	[ -n "${STPI_FSTESTS:-}" ] ||
		skip "${STPI_FSTESTS_WHY:-fstests was not built for this run}"
	[ -x "$STPI_FSTESTS/check" ] || fail "STPI_FSTESTS='$STPI_FSTESTS' is not a built fstests tree"
}

# fst_run NAME FS "TABLE_OPTS" TEST...: run the fstests TESTs over stablepi
# devices on a scsi_debug dif=3 dix=199 disk (tools/lib/fstests-guest, the
# guest side of tools/fstests), then the report; results in $STPI_TMP/NAME,
# the report's lines in $STPI_TMP/NAME.lines.
fst_run() {
	local name=$1 fs=$2 opts=$3 dir=$STPI_TMP/$1 size=256

	shift 3
	[ "$fs" = xfs ] && size=320
	mkdir -p "$dir"
	STPI_RESULTS=$dir STPI_FST_TREE=$STPI_FSTESTS STPI_FST_FS=$fs \
		STPI_FST_DISK=scsi_debug STPI_FST_OPTS=$opts STPI_FST_SIZE=$size \
		bash "$STPI_SRC/tools/lib/fstests-guest" "$@" ||
		fail "fstests-guest $fs ($opts) $* failed"
	python3 "$STPI_SRC/tools/lib/fstests-report" "$dir" | tee "$dir.lines" ||
		fail "fstests-report $dir failed"
}

# fst_get NAME TEST JQ: a field of TEST's entry in NAME's report.json.
fst_get() {
	jq -r --arg t "$2" ".tests[] | select(.name == \$t) | $3" "$STPI_TMP/$1/report.json"
}
