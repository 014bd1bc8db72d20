#!/bin/sh
# Prints the built-in profile measured on this machine's host kind, for the
# held-out checks that compare the model with this machine's kernel: the
# project's VM kind costs 4-5x more per packet on its AMD EPYC host than on
# its Xeon host (README, "Two hosts, one VM kind"), so a check must price
# the kernel it runs on with that host's profile. Exits 1, naming the CPU,
# on a host no built-in profile was measured on.
#
#   calibration/host-profile.sh   # testbed-vm-6.18-xeon, or testbed-vm-6.18
set -eu
model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
mhz=$(sed -n 's/^cpu MHz[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
case $model in
"Intel(R) Xeon(R) Processor") echo testbed-vm-6.18-xeon ;; # run9, 2,600 MHz
"AMD EPYC")
	# run4's host ran at 2,596.12 MHz; another AMD EPYC host (run11, 2,445 MHz) differs
	if awk -v m="$mhz" 'BEGIN { exit !(m > 2590 && m < 2602) }'; then
		echo testbed-vm-6.18
	else
		echo "host-profile.sh: AMD EPYC at $mhz MHz: no built-in profile was measured on this host (testbed-vm-6.18 was, at 2596 MHz); run cnisim testbed" >&2
		exit 1
	fi
	;;
*)
	echo "host-profile.sh: CPU \"$model\" at $mhz MHz: no built-in profile was measured on this host kind; run cnisim testbed" >&2
	exit 1
	;;
esac
