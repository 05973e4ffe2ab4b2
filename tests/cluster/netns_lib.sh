# Shared by tests/cluster/netns_test.sh and bench/million_netns.sh (sourced).

# connect_hosts: on a bridge in the hub namespace ${NS}hub (already made),
# one namespace $NS<name> per name in HOSTS, with ADDR[name]/24 on its eth0;
# each is added to CREATED as it is made, so the caller's cleanup deletes it.
# Calls the caller's fail() on an error.
connect_hosts() {
  local h
  ip -n "${NS}hub" link add br0 type bridge || fail "cannot create a bridge"
  ip -n "${NS}hub" link set br0 up
  for h in "${HOSTS[@]}"; do
    ip netns add "$NS$h" || fail "ip netns add $NS$h"
    CREATED+=("$NS$h")
    ip -n "${NS}hub" link add "v$h" type veth peer name eth0 netns "$NS$h" || fail "veth for $h"
    ip -n "${NS}hub" link set "v$h" master br0 up
    ip -n "$NS$h" addr add "${ADDR[$h]}/24" dev eth0
    ip -n "$NS$h" link set eth0 up
    ip -n "$NS$h" link set lo up
  done
}
