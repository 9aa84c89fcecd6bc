// libFuzzer entry point for every decoder that reads bytes from the kernel: netlink message
// splitting, attributes (nested), error reports, generic netlink, and rtnetlink route, link and
// address messages through libnl's parsers. Built by scripts/fuzz.sh together with the Netlink
// sources, so everything here is called as it is in the agent.

import Addresses

@testable import Netlink

@_cdecl("LLVMFuzzerTestOneInput")
public func netlinkFuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let buffer = UnsafeRawBufferPointer(start: data, count: size)
    for message in NetlinkMessage.split(buffer) {
        _ = message.errorReport
        _ = GenericNetlinkMessage(decoding: message)
        walk(NetlinkAttribute.parse(message.payload), depth: 0)
        // Route, link and address parsers: the monitor's path for any message type.
        for type: UInt16 in [16, 17, 20, 21, 24, 25] {
            var typed = message
            typed.type = type
            _ = NetlinkMonitor.event(from: typed)
        }
    }
    return 0
}

private func walk(_ attributes: [NetlinkAttribute], depth: Int) {
    guard depth < 8 else { return }
    for attribute in attributes {
        _ = attribute.stringValue
        _ = attribute.u64Value
        walk(attribute.children, depth: depth + 1)
    }
}
