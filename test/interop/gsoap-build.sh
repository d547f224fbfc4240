#!/usr/bin/env bash
# Checks that gSOAP accepts every WSDL of wsdl/ (wsdl2h, then soapcpp2, without errors) and builds the
# StorageIndex client of gsoap-client.cpp. Usage: gsoap-build.sh OUTDIR. Needs Debian's gsoap and libgsoap-dev.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
wsdl_dir="$here/../../wsdl"
out=$1
mkdir -p "$out"
cd "$out"
for wsdl in "$wsdl_dir"/*.wsdl; do
  name=$(basename "$wsdl" .wsdl)
  wsdl2h -o "$name.h" "$wsdl" >"$name.wsdl2h.log" 2>&1 || { cat "$name.wsdl2h.log"; echo "wsdl2h failed on $name"; exit 1; }
  mkdir -p "$name"
  soapcpp2 -j -C -x -I/usr/share/gsoap/import -d "$name" "$name.h" >"$name.soapcpp2.log" 2>&1 || { cat "$name.soapcpp2.log"; echo "soapcpp2 failed on $name"; exit 1; }
  if grep -iE '(^|[^a-z])error' "$name.wsdl2h.log" "$name.soapcpp2.log"; then echo "gSOAP reported errors on $name"; exit 1; fi
  echo "ok   gSOAP accepts $name"
done
si=org.glite.data-storageindex-2.0.0
g++ -O0 -o gsoap-client -I"$si" "$here/gsoap-client.cpp" "$si/soapC.cpp" "$si/soapStorageIndexSoapBindingProxy.cpp" -lgsoap++
echo "ok   built gsoap-client"
