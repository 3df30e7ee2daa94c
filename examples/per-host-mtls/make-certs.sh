#!/bin/sh
# Makes the certificates of the per-host mTLS example with openssl (1.1.1 or later), under
# examples/per-host-mtls/certs/ (or the directory given as the first argument):
#
#   ca.pem, ca-key.pem          the mesh's CA: every router trusts it and nothing else
#   router.pem, router-key.pem  this host's router, for both of its sides:
#                                 - incoming (server): one DNS name <service>.mesh for each
#                                   service with instances on this host (the outgoing routers
#                                   check it: commonName "{service}.mesh")
#                                 - outgoing (client): the URI spiffe://mesh.example/router, the
#                                   name every router of the mesh carries (clientNames)
#   app.pem, app-key.pem        an app's certificate from the same CA ("web-app"), to see the
#                               incoming router refuse a client that is not a router
#
# The services default to those of examples/disco; on a real host, list the services whose
# instances it runs: SERVICES="users billing" ./make-certs.sh /etc/dtab-router/tls
# One CA for all hosts: make it once, keep ca-key.pem offline, and sign each host's
# router.pem with it (this script makes a new CA each time: it is for one machine).
set -eu

out=${1:-"$(dirname "$0")/certs"}
services=${SERVICES:-"users-v1 users-v2 billing-zone-a billing-zone-b"}
router_name=${ROUTER_NAME:-"spiffe://mesh.example/router"}
days=${DAYS:-90}

mkdir -p "$out"
umask 077 # keys readable by their owner only

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }

# A leaf certificate signed by the CA: name, extended key usage, subjectAltName.
leaf() {
  key "$out/$1-key.pem"
  openssl req -new -key "$out/$1-key.pem" -subj "/CN=$4" -out "$out/$1.csr"
  printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=%s\nsubjectAltName=%s\n' "$2" "$3" \
    >"$out/$1.ext"
  openssl x509 -req -in "$out/$1.csr" -CA "$out/ca.pem" -CAkey "$out/ca-key.pem" \
    -CAcreateserial -days "$days" -extfile "$out/$1.ext" -out "$out/$1.pem"
  rm -f "$out/$1.csr" "$out/$1.ext"
}

key "$out/ca-key.pem"
openssl req -x509 -new -key "$out/ca-key.pem" -subj "/CN=mesh example CA" -days "$days" \
  -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign' \
  -out "$out/ca.pem"

names="URI:$router_name"
for s in $services; do names="$names,DNS:$s.mesh"; done
leaf router serverAuth,clientAuth "$names" router
leaf app clientAuth DNS:web-app.mesh web-app
rm -f "$out/ca.srl"
chmod 644 "$out/ca.pem" "$out/router.pem" "$out/app.pem"

echo "certificates written to $out:"
openssl x509 -in "$out/router.pem" -noout -subject -ext subjectAltName
