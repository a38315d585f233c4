# escapee_tree.sh: sourced by the timeout tests: the Python a call runs that outlives its deadline: grandchildren,
# and a double-forked setsid escapee, each found afterwards by a sleep length no other process is likely to use.
secs=$((3000 + $$ % 5000))	# pgrep -f "sleep $secs" looks host-wide

# escapee_tree PIDFILE: the code; once its tree runs, it writes its own pid to PIDFILE and sleeps.
escapee_tree() {
	cat <<PY
import os, subprocess, time
subprocess.Popen(['sh', '-c', 'sleep $secs & sleep $secs'])
if os.fork() == 0:          # a double-forked setsid escapee
    os.setsid()
    if os.fork() == 0:
        time.sleep(300)
    os._exit(0)
time.sleep(0.3)
open('$1', 'w').write(str(os.getpid()))
time.sleep(300)
PY
}
