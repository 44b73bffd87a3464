#!/usr/bin/env bash
# Installs the Debian packages a k8ts node needs when they are missing: containerd and runc (the
# container runtime), the CNI plugins, iptables and iproute2 (pod networking), busybox-static and
# catatonit (the built-in pause and busybox images are made from them, so no registry is needed).
# With --tests it also installs Debian's etcd-server (the etcd storage backend's tests).
# Run as root; does nothing when everything is there.
set -euo pipefail

need=()
if [ "${1:-}" = "--tests" ]; then
  command -v etcd >/dev/null 2>&1 || need+=(etcd-server)
fi
command -v containerd >/dev/null 2>&1 || need+=(containerd)
command -v runc >/dev/null 2>&1 || [ -x /usr/sbin/runc ] || need+=(runc)
[ -x /usr/lib/cni/bridge ] || need+=(containernetworking-plugins)
command -v iptables >/dev/null 2>&1 || [ -x /usr/sbin/iptables ] || need+=(iptables)
command -v ip >/dev/null 2>&1 || [ -x /usr/sbin/ip ] || [ -x /sbin/ip ] || need+=(iproute2)
dpkg -s busybox-static >/dev/null 2>&1 || need+=(busybox-static) # static: the image has no libc
[ -x /usr/bin/catatonit ] || need+=(catatonit)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "k8ts needs Debian packages: ${need[*]} (run as root, or: sudo apt-get install ${need[*]})" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
