# kamailio helpers shared by the kamailio tests (sourced after lib.sh).

# find_modules: kamailio's module folder ($KAMAILIO_MODULES overrides).
find_modules() {
  if [[ -n ${KAMAILIO_MODULES:-} ]]; then echo "$KAMAILIO_MODULES"; return; fi
  local d
  for d in /usr/lib/*/kamailio/modules /usr/lib/kamailio/modules /usr/local/lib*/kamailio/modules; do
    if [[ -f $d/tm.so ]]; then echo "$d"; return; fi
  done
  fail "kamailio modules directory not found; set KAMAILIO_MODULES"
}

# stop_kamailio: stops the kamailio started as `start_bg kamailio ...` by its
# PID (SIGTERM, then SIGKILL for it and the children it forked).
kamailio_PID=
stop_kamailio() {
  [[ -n $kamailio_PID ]] || return 0
  local pid=$kamailio_PID children
  kamailio_PID=
  children=$(ps -o pid= --ppid "$pid" 2>/dev/null | tr -d ' ' | tr '\n' ' ' || true)
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "kamailio $pid ignored SIGTERM; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  for c in $children; do kill -KILL "$c" 2>/dev/null || true; done
}
