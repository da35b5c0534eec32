# SPDX-License-Identifier: GPL-2.0
#
# Helpers for every test, host and VM.  Sourced by tests/run (host) and by
# tests/lib/guest-run (VM) before the test file itself.  See tests/README.md.

# Set by the runner for each test:
#   STPI_SRC      repository root
#   STPI_TMP      scratch directory, removed after the test
#   STPI_REPORT   file collecting report lines
#   STPI_SKIP     file receiving the skip reason

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

skip() {
	echo "$*" > "$STPI_SKIP"
	exit 77
}

report() {
	echo "$*" >> "$STPI_REPORT"
	echo "report: $*"
}

# kb_change BEFORE AFTER: how a quantity in kB moved, signed ("-124 kB",
# "+92 kB", "+0 kB"), for reports.
kb_change() {
	printf '%+d kB' $(($2 - $1))
}

run() {
	echo "+ $*"
	"$@"
}

_expect_int() {
	local op=$1 a=$2 b=$3 what=$4

	[[ "$a" =~ ^-?[0-9]+$ ]] || fail "$what: '$a' is not a number"
	[[ "$b" =~ ^-?[0-9]+$ ]] || fail "$what: '$b' is not a number"
	# shellcheck disable=SC2086
	if [ "$a" $op "$b" ]; then
		echo "ok: $what ($a $op $b)"
	else
		fail "$what: expected $a $op $b"
	fi
}

expect_eq() { _expect_int -eq "$1" "$2" "$3"; }
expect_ne() { _expect_int -ne "$1" "$2" "$3"; }
expect_gt() { _expect_int -gt "$1" "$2" "$3"; }
expect_ge() { _expect_int -ge "$1" "$2" "$3"; }
expect_lt() { _expect_int -lt "$1" "$2" "$3"; }
expect_le() { _expect_int -le "$1" "$2" "$3"; }

expect_str() {
	local a=$1 b=$2 what=$3

	if [ "$a" = "$b" ]; then
		echo "ok: $what ($a)"
	else
		fail "$what: '$a' is not '$b'"
	fi
}

expect_match() {
	local text=$1 re=$2 what=$3

	if [[ "$text" =~ $re ]]; then
		echo "ok: $what"
	else
		fail "$what: '$text' does not match /$re/"
	fi
}

# expect_line TEXT ERE WHAT: some line of TEXT matches ERE (grep -E).
expect_line() {
	if grep -Eq -- "$2" <<< "$1"; then
		echo "ok: $3"
	else
		fail "$3: no line of '$1' matches /$2/"
	fi
}

expect_nomatch() {
	local text=$1 re=$2 what=$3

	if [[ "$text" =~ $re ]]; then
		fail "$what: '$text' matches /$re/"
	else
		echo "ok: $what"
	fi
}

# kv KEY: print the value of the first KEY=VALUE word read from stdin.
# Plain bash, no pipeline: in the VM every program started costs 20 to
# 60 ms (TCG), and tests call this hundreds of times.
kv() {
	local line word words

	while IFS= read -r line || [ -n "$line" ]; do
		IFS=$' \t' read -ra words <<< "$line"
		for word in "${words[@]}"; do
			if [[ $word == "$1="* ]]; then
				printf '%s\n' "${word#"$1="}"
				return 0
			fi
		done
	done
	return 0
}
