// libFuzzer entry point for the BGP codec: the input is framed into messages, each decoded in all
// four contexts (2- or 4-octet AS, internal or external peer), and the whole input is also read
// as the body of every message type. Built by scripts/fuzz.sh from Sources/BGP's files.
//
// Besides "never crash", it checks a property: whatever decodes, encoded again, decodes to an
// equal value (an UPDATE cleanly, its discarded attributes gone), so codec asymmetry is a crash.
// The UPDATEs of the stream are then applied to a RIB from two peers and sent on to a third: the
// best-route changes replayed must equal the RIB, and with both peers gone nothing may be left.

import Addresses

@testable import BGP

@_cdecl("LLVMFuzzerTestOneInput")
public func bgpFuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))[...]
    var rest = input
    var updates: [BGPUpdate] = []
    while let header = try? BGPMessageHeader.frame(rest) {
        let message = rest.prefix(header.messageLength)
        rest = rest.dropFirst(header.messageLength)
        for context in contexts {
            switch try? BGPMessage.decode(message, context: context) {
            case .open(let open): checkOpen(open)
            case .update(let outcome):
                checkUpdate(outcome, context: context)
                if context == contexts[0], let update = outcome.update { updates.append(update) }
            case .notification(let notification): checkNotification(notification)
            case .routeRefresh(let refresh): checkRouteRefresh(refresh)
            case .keepalive, nil: break
            }
        }
    }
    if let open = try? BGPOpen.decode(body: input) { checkOpen(open) }
    if let notification = try? BGPNotification.decode(body: input) { checkNotification(notification) }
    if let refresh = try? BGPRouteRefresh.decode(body: input) { checkRouteRefresh(refresh) }
    for context in contexts { checkUpdate(BGPUpdate.decode(body: input, context: context), context: context) }
    if !updates.isEmpty { checkRIB(updates) }
    return 0
}

private let ribPeers = [
    BGPRouteSource(kind: .external, address: BGPAddress(ipv4: 0x0a00_0002), identifier: 2, autonomousSystem: 65001),
    BGPRouteSource(kind: .internal, address: BGPAddress(ipv4: 0x0a00_0003), identifier: 3, autonomousSystem: 65000),
]

private func checkRIB(_ updates: [BGPUpdate]) {
    var rib = LocRIB(options: LocRIB.Options(localAS: 65000, routerID: 0x0a00_0001))
    for peer in ribPeers { rib.peerUp(peer, importPolicy: .acceptAll) }
    var out = AdjRIBOut(
        peer: BGPRouteSource(
            kind: .external, address: BGPAddress(ipv4: 0x0a00_0004), identifier: 4, autonomousSystem: 65004),
        localAS: 65000, clusterID: 0x0a00_0001, ipv4NextHop: BGPAddress(ipv4: 0x0a00_0001),
        ipv6NextHop: MultiprotocolNextHop(
            global: BGPAddress(bytes: [0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [1])!),
        families: [.ipv4Unicast, .ipv6Unicast], codecContext: contexts[0], exportPolicy: .acceptAll)
    var replayed: [BGPPrefix: BGPRoute] = [:]
    func replay(_ changes: [LocRIBChange]) {
        for change in changes {
            switch change {
            case .bestChanged(let route): replayed[route.prefix] = route
            case .withdrawn(let prefix): replayed[prefix] = nil
            }
        }
        _ = out.apply(changes)
    }
    for (index, update) in updates.enumerated() {
        replay(rib.apply(update, from: ribPeers[index % ribPeers.count].address).changes)
    }
    guard rib.prefixCount == replayed.count, replayed.allSatisfy({ rib.best(for: $0.key) == $0.value }) else {
        fatalError("replayed changes differ from the RIB: \(replayed.count) against \(rib.prefixCount)")
    }
    for peer in ribPeers { replay(rib.peerDown(peer.address, retainedFamilies: [])) }
    guard rib.prefixCount == 0, replayed.isEmpty, rib.attributeTable.count == 0 else {
        fatalError("the RIB kept \(rib.prefixCount) prefixes and \(rib.attributeTable.count) attribute sets")
    }
    guard out.advertisedCount == 0, out.attributeTable.count == 0 else {
        fatalError("the Adj-RIB-Out kept \(out.advertisedCount) prefixes")
    }
}

private let contexts = [true, false].flatMap { fourOctet in
    [true, false].map { BGPCodecContext(fourOctetAS: fourOctet, externalPeer: $0) }
}

private func body(_ message: [UInt8]) -> ArraySlice<UInt8> {
    message.dropFirst(BGPMessageHeader.length)
}

private func checkOpen(_ open: BGPOpen) {
    let again = try? BGPOpen.decode(body: body(open.encode()))
    guard again == open else { fatalError("OPEN \(open) re-decoded as \(String(describing: again))") }
}

private func checkNotification(_ notification: BGPNotification) {
    let again = try? BGPNotification.decode(body: body(notification.encode()))
    guard again == notification else { fatalError("NOTIFICATION \(notification) re-decoded differently") }
}

private func checkRouteRefresh(_ refresh: BGPRouteRefresh) {
    let again = try? BGPRouteRefresh.decode(body: body(refresh.encode()))
    guard again == refresh else { fatalError("ROUTE-REFRESH \(refresh) re-decoded differently") }
}

private func checkUpdate(_ outcome: BGPUpdateOutcome, context: BGPCodecContext) {
    guard let update = outcome.update else { return }
    let again = BGPUpdate.decode(body: body(update.encode(context: context)), context: context)
    guard again == .clean(update) else {
        fatalError("UPDATE \(update) in \(context) re-decoded as \(again)")
    }
}
