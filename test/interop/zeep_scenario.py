"""A Fireman client scenario with zeep (Debian python3-zeep), an independent SOAP stack, against a running
replicat: mkdir, create with replicas, getFileCatalogEntry, readDir paging, listReplicas, listSEbyLFN and
faults. Usage: zeep_scenario.py BASE_URL. Prints one line per step; exits non-zero on the first failure."""

import os
import sys

from zeep import Client, Settings
from zeep.exceptions import Fault
from zeep.transports import Transport

SOAPENC = "http://schemas.xmlsoap.org/soap/encoding/"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
HERE = os.path.dirname(os.path.abspath(__file__))


class OfflineTransport(Transport):
    """Serves the SOAP encoding schema from a local copy: there is no network to fetch it from."""

    def load(self, url):
        if url.rstrip("/") == SOAPENC.rstrip("/"):
            with open(os.path.join(HERE, "soap-encoding.xsd"), "rb") as f:
                return f.read()
        return super().load(url)


def plain(value):
    """soapenc:string values come back as objects holding their text in _value_1."""
    return getattr(value, "_value_1", value)


def check(condition, what):
    if not condition:
        print("FAIL " + what)
        sys.exit(1)
    print("ok   " + what)


def fault_type(fault):
    return fault.detail.find("fault").get(XSI_TYPE) if fault.detail is not None else None


def main(base):
    settings = Settings(strict=False)
    transport = OfflineTransport()
    client = Client(base + "/soap/FiremanCatalog?wsdl", transport=transport, settings=settings)
    fireman = client.service
    si = Client(base + "/soap/StorageIndex?wsdl", transport=transport, settings=settings).service
    FRCEntry = client.get_type("ns0:FRCEntry")
    SURLEntry = client.get_type("ns0:SURLEntry")

    check(plain(fireman.getInterfaceVersion()) == "2.0.0", "getInterfaceVersion is 2.0.0")

    fireman.mkdir(directories=["/zeep/run"], createParents=True, copyPermFromParent=False)
    check(True, "mkdir /zeep/run with parents")

    entries = [
        FRCEntry(lfn="/zeep/run/f%d" % i, surlStats=[SURLEntry(masterReplica=True, creationTime=0, modifyTime=0, surl="srm://se%d.example.org/data/f%d" % (i % 2, i))])
        for i in range(5)
    ]
    fireman.create(entries=entries)
    check(True, "create 5 files with a replica each")

    found = fireman.getFileCatalogEntry(lfns=["/zeep/run/f0", "/zeep/run"])
    check(len(found) == 2, "getFileCatalogEntry returns one FCEntry per LFN")
    check(plain(found[0].lfn) == "/zeep/run/f0" and found[0].lfnStat.type == 1, "a file has type 1")
    check(found[1].lfnStat.type == 0, "a directory has type 0")
    check(len(plain(found[0].guid) or "") == 36, "a file has a GUID")

    pages, offset = [], 0
    while True:
        page = fireman.readDir(path="/zeep/run", pattern="", limit=2, offset=offset, withPermissions=False) or []
        pages.append([plain(e.lfn) for e in page])
        if len(page) < 2:
            break
        offset += 2
    check(pages == [["/zeep/run/f0", "/zeep/run/f1"], ["/zeep/run/f2", "/zeep/run/f3"], ["/zeep/run/f4"]], "readDir pages by limit and offset")

    replicas = fireman.listReplicas(lfns=["/zeep/run/f1"], withPermissions=True)
    check(len(replicas) == 1 and len(replicas[0].surlStats) == 1, "listReplicas returns one FRCEntry with its replica")
    check(plain(replicas[0].surlStats[0].surl) == "srm://se1.example.org/data/f1", "the FRCEntry lists the SURL")
    check(replicas[0].surlStats[0].masterReplica is True, "the replica is the master")
    check(replicas[0].permission.userPerm.read is True, "the permission is filled when asked")

    ses = si.listSEbyLFN("/zeep/run/f1")
    check([plain(s) for s in ses] == ["se1.example.org"], "listSEbyLFN names the storage element")

    try:
        fireman.getFileCatalogEntry(lfns=["/zeep/run/none"])
        check(False, "an unknown LFN faults")
    except Fault as fault:
        check((fault_type(fault) or "").endswith("NotExistsException"), "an unknown LFN faults NotExistsException")
        check("/zeep/run/none" in fault.message, "the fault names the LFN")

    try:
        fireman.readDir(path="/zeep/run", pattern="", limit=0, offset=0, withPermissions=False)
        check(False, "readDir with limit 0 faults")
    except Fault as fault:
        check((fault_type(fault) or "").endswith("InvalidArgumentException"), "readDir with limit 0 faults InvalidArgumentException")

    print("zeep scenario passed")


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"))
