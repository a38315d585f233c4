#!/bin/bash
# guest.sh: PID 1 in the guest after switch_root: runs the job boot.sh left in the results share, records
# its stdout, stderr and exit status there, and powers the guest off.
R=/run/mcpwarden-results
# HOME on tmpfs: the host's /root is read-only here (and may hold the checkout, so no tmpfs over it).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/run/home TERM=dumb LANG=C.UTF-8
mkdir -p -m 0700 "$HOME"
hostname mcpwarden-guest
ip link set lo up || echo "guest.sh: ip link set lo up: failed" > /dev/console
cut -d' ' -f1 /proc/uptime > "$R/boot-seconds"
echo "guest.sh: kernel $(uname -r) up after $(cat "$R/boot-seconds") s, running $R/job.sh" > /dev/console
# In the background, so that this shell (PID 1) keeps reaping the orphans the job leaves.
bash "$R/job.sh" > "$R/stdout" 2> "$R/stderr" < /dev/null &
wait $!
echo $? > "$R/rc"
sync
echo o > /proc/sysrq-trigger
sleep 60
