# Sourced by the gdb tests: gz_gdb_start ERRFILE GZVMM-ARGS... starts gzvmm with --gdb on a
# free port and waits for its server; sets $port and $vmm (its pid). The port is asked of the
# kernel; another process may take it before gzvmm binds it: then gzvmm says so and exits,
# and the next try takes another.
gz_gdb_start() {
	local err=$1
	shift
	for _ in 1 2 3; do
		port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
		timeout 300 "$@" --gdb "$port" --gdb-wait 2>"$err" &
		vmm=$!
		for _ in $(seq 600); do
			grep -q "gdb server on" "$err" 2>/dev/null && break
			kill -0 $vmm 2>/dev/null || break
			sleep 0.1
		done
		grep -q "cannot listen" "$err" || break
		wait $vmm
	done
}
