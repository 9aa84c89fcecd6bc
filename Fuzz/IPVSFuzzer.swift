// libFuzzer entry point for the IPVS reply decoders: services, real servers and timeouts, each
// fed every message the input splits into. Built by scripts/fuzz.sh from the IPVS and Netlink
// targets.
//
// Besides "never crash", it checks a property: a service or real server that decodes, when
// encoded as an add request (the same command and layout as a reply), decodes to itself.

import Addresses

@testable import IPVS
@testable import Netlink

@_cdecl("LLVMFuzzerTestOneInput")
public func ipvsFuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let buffer = UnsafeRawBufferPointer(start: data, count: size)
    for message in NetlinkMessage.split(buffer) {
        _ = IPVSMessage.decodeTimeouts(message)
        if let service = IPVSMessage.decodeService(message) {
            let again = IPVSMessage.decodeService(reencode(.addService(service)))
            precondition(again == service, "service \(service) re-decoded as \(String(describing: again))")
        }
        for family in AddressFamily.allCases {
            guard let observed = IPVSMessage.decodeRealServer(message, serviceFamily: family) else { continue }
            let key = IPVSServiceKey.firewallMark(family, 1)
            let again = IPVSMessage.decodeRealServer(
                reencode(.addRealServer(key, observed.server)), serviceFamily: family)
            precondition(again?.server == observed.server, "real server \(observed.server) re-decoded differently")
        }
    }
    return 0
}

private func reencode(_ operation: IPVSOperation) -> NetlinkMessage {
    IPVSMessage.encode(operation).encode(familyID: 0x1C, flags: 2)
}
