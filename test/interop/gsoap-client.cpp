// A StorageIndex client as the gLite WMS broker builds one: gSOAP stubs generated from the served WSDL
// (wsdl2h + soapcpp2), listSEbyLFN with no SOAPAction. Prints one SE per line; exit 2 on a SOAP fault.
// Usage: gsoap-client ENDPOINT LFN
#include "soapStorageIndexSoapBindingProxy.h"
#include "StorageIndexSoapBinding.nsmap"
#include <iostream>

int main(int argc, char **argv) {
  if (argc != 3) {
    std::cerr << "usage: gsoap-client ENDPOINT LFN" << std::endl;
    return 64;
  }
  StorageIndexSoapBindingProxy proxy;
  ns1__listSEbyLFNResponse response;
  if (proxy.listSEbyLFN(argv[1], NULL, argv[2], response) != SOAP_OK) {
    proxy.soap_stream_fault(std::cerr);
    return 2;
  }
  if (response._listSEbyLFNReturn != NULL) {
    for (int i = 0; i < response._listSEbyLFNReturn->__size; i++) std::cout << response._listSEbyLFNReturn->__ptr[i] << std::endl;
  }
  return 0;
}
