// libFuzzer entry point for the BGP codec: the input is framed into messages, each decoded in all
// four contexts (2- or 4-octet AS, internal or external peer), and the whole input is also read
// as the body of every message type. Built by scripts/fuzz.sh from Sources/BGP's files.
//
// Besides "never crash", it checks a property: whatever decodes, encoded again, decodes to an
// equal value (an UPDATE cleanly, its discarded attributes gone), so codec asymmetry is a crash.

@_cdecl("LLVMFuzzerTestOneInput")
public func bgpFuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))[...]
    var rest = input
    while let header = try? BGPMessageHeader.frame(rest) {
        let message = rest.prefix(header.messageLength)
        rest = rest.dropFirst(header.messageLength)
        for context in contexts {
            switch try? BGPMessage.decode(message, context: context) {
            case .open(let open): checkOpen(open)
            case .update(let outcome): checkUpdate(outcome, context: context)
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
    return 0
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
