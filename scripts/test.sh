#!/usr/bin/env bash
# Runs k8ts' whole test suite on a fresh Debian machine with Node 20: installs what the tests
# need (Debian's etcd-server for the etcd backend; containerd, runc, containernetworking-plugins,
# iptables, iproute2, busybox-static and catatonit for real nodes; kubectl is expected at /usr/bin/kubectl and
# /usr/lib/google-cloud-sdk/bin/kubectl.1.NN), installs npm dependencies, builds, tests.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v etcd >/dev/null 2>&1 || need+=(etcd-server)
# Real nodes: containerd + runc, CNI plugins, iptables, iproute2; static busybox and catatonit
# become the test and pause images (k8ts image build), so no registry is needed.
command -v containerd >/dev/null 2>&1 || need+=(containerd)
command -v runc >/dev/null 2>&1 || [ -x /usr/sbin/runc ] || need+=(runc)
[ -x /usr/lib/cni/bridge ] || need+=(containernetworking-plugins)
command -v iptables >/dev/null 2>&1 || [ -x /usr/sbin/iptables ] || need+=(iptables)
command -v ip >/dev/null 2>&1 || [ -x /usr/sbin/ip ] || [ -x /sbin/ip ] || need+=(iproute2)
dpkg -s busybox-static >/dev/null 2>&1 || need+=(busybox-static) # static: the image has no libc
[ -x /usr/bin/catatonit ] || need+=(catatonit)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "k8ts tests need Debian packages: ${need[*]} (run as root, or: sudo apt-get install ${need[*]})" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
for v in 1.27 1.32 1.33; do
  if [ ! -x "/usr/lib/google-cloud-sdk/bin/kubectl.$v" ]; then
    echo "k8ts tests drive the real kubectl: /usr/lib/google-cloud-sdk/bin/kubectl.$v is missing" >&2
    exit 1
  fi
done

npm ci --no-audit --no-fund
npm run build
npm run typecheck
npx vitest run "$@"
