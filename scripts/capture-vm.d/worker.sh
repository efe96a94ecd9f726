# SPDX-License-Identifier: GPL-2.0-or-later
# worker.sh FUNC ARGS... - run one workload function in its own process so
# that taskset can pin it (started by hm_parallel in lib.sh).
. /hm/hm.conf
. /hm/lib.sh
. /hm/workload.sh
"$@"
