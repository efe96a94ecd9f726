#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# valgrind.sh - run $HM_VALGRIND_PROG under valgrind's memcheck, as test
# runners that take a program path (tests/cli/run-cli.py --prog,
# tests/lint/run-case.py --hm-lint) can run it: any memory error, or a leak
# of memory no pointer reaches any more, exits 99 and shows on stderr, so the
# golden comparison fails and prints it.
#
# usage: HM_VALGRIND_PROG=PATH valgrind.sh ARGS...
: "${HM_VALGRIND_PROG:?set HM_VALGRIND_PROG to the program to run}"
here=$(cd "$(dirname "$0")" && pwd)
exec valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite \
	--errors-for-leak-kinds=definite --track-origins=yes \
	--suppressions="$here/valgrind.supp" "$HM_VALGRIND_PROG" "$@"
