#!/usr/bin/env bash
# Runs k8ts' whole test suite on a fresh Debian machine with Node 20: installs what the tests
# need (Debian's etcd-server for the etcd backend; containerd, runc, containernetworking-plugins,
# iptables, iproute2, busybox-static and catatonit for real nodes; kubectl is expected at /usr/bin/kubectl and
# /usr/lib/google-cloud-sdk/bin/kubectl.1.NN), installs npm dependencies, builds, tests.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh --tests
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
