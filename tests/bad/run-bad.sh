#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run-bad.sh - the bad-input corpus, as TAP.
#
# A case is NAME.expect plus its input: NAME.json, NAME.jsonl or NAME.ftrace,
# or NAME.args holding the command-line arguments instead (for /dev/zero, a
# directory, options), or NAME.gen: a shell script that makes its input at
# test time in an empty scratch directory (a 100 MB string, a FIFO, a file
# without read permission) and prints the arguments; the program then runs
# in that directory.  A .gen script that exits 77 skips its case, the reason
# on its standard output.  NAME.expect holds the exit status on its first line
# and the exact standard error after it (nothing for inputs that are valid).
# Standard output is not checked.  Programs run in this directory, so
# messages name the files as the cases do.
#
# usage: run-bad.sh [--regen] PROGRAM [ARG...]
#   PROGRAM  tests/replay/hm-readtest, or hm-replay itself: any program that
#            reads one trace named last on its command line and reports errors
#            as "hm-replay: FILE:LINE:COL: message"
#   ARG      extra arguments put before each case's own
#   --regen  write NAME.expect from what PROGRAM does now (review the diff!)
set -u

regen=0
if [ "${1:-}" = "--regen" ]; then
	regen=1
	shift
fi
if [ $# -lt 1 ]; then
	echo "usage: run-bad.sh [--regen] PROGRAM [ARG...]" >&2
	exit 2
fi
prog=$1
shift
case $prog in
/*) ;;
*) prog=$(pwd)/$prog ;;
esac
dir=$(cd "$(dirname "$0")" && pwd) || exit 99
cd "$dir" || exit 99
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

if [ $regen = 1 ]; then
	cases=$(ls *.json *.jsonl *.ftrace *.args *.gen 2>/dev/null | sed 's/\.[a-z]*$//' | sort -u)
else
	cases=$(ls *.expect | sed 's/\.expect$//' | sort)
fi

n=0
failed=0
for name in $cases; do
	n=$((n + 1))
	rundir=$dir
	if [ -f "$name.gen" ]; then
		rundir=$tmp/$name
		mkdir "$rundir" || exit 99
		args=$(cd "$rundir" && sh "$dir/$name.gen")
		gen=$?
		if [ $gen = 77 ]; then
			echo "ok $n - $name # SKIP $args"
			rm -rf "$rundir"
			continue
		elif [ $gen != 0 ]; then
			echo "not ok $n - $name: $name.gen failed ($gen)"
			failed=$((failed + 1))
			rm -rf "$rundir"
			continue
		fi
	elif [ -f "$name.args" ]; then
		args=$(cat "$name.args")
	else
		args=$(ls "$name.json" "$name.jsonl" "$name.ftrace" 2>/dev/null | head -n 1)
	fi
	if [ -z "$args" ]; then
		echo "not ok $n - $name: no input file"
		failed=$((failed + 1))
		continue
	fi
	# shellcheck disable=SC2086 # word splitting of the case's arguments is wanted
	(cd "$rundir" && exec timeout 20 "$prog" "$@" $args) >/dev/null 2>"$tmp/stderr"
	status=$?
	[ "$rundir" = "$dir" ] || rm -rf "$rundir"
	if [ $regen = 1 ]; then
		{ echo "$status"; cat "$tmp/stderr"; } >"$name.expect"
		echo "ok $n - $name: wrote $name.expect (status $status)"
		continue
	fi
	want_status=$(head -n 1 "$name.expect")
	tail -n +2 "$name.expect" >"$tmp/want"
	if [ "$status" = "$want_status" ] && cmp -s "$tmp/want" "$tmp/stderr"; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name"
		echo "#   status: got $status, want $want_status"
		sed 's/^/#   got:  /' "$tmp/stderr"
		sed 's/^/#   want: /' "$tmp/want"
		failed=$((failed + 1))
	fi
done
echo "1..$n"
[ $failed = 0 ]
