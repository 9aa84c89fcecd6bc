/// A real BGP router (BIRD 2, GoBGP or FRR) running in a lab namespace, driven through its own CLI.
///
/// Queries take the neighbor's address; the routes returned are those of the address family of
/// that neighbor's session (the lab configures one family per session).
public protocol BGPPeerLabRouter: AnyObject, Sendable {
    /// Which implementation and where, for messages ("bird in rudder-bgplab-1a2b3c4d").
    var label: String { get }
    /// The state of the session with `neighbor` (a configured address, or a dynamic neighbor's address).
    func sessionState(of neighbor: String) throws -> BGPPeerLabSessionState
    /// The routes received from `neighbor` and accepted, parsed.
    func receivedRoutes(from neighbor: String) throws -> [BGPPeerLabRoute]
    /// Starts announcing `routes` (as static routes exported to BGP) in addition to those announced so far.
    func originate(_ routes: [BGPPeerLabOriginatedRoute]) throws
    /// Stops announcing the routes with these prefixes.
    func withdraw(_ prefixes: [String]) throws
    /// Stops the daemons (SIGTERM, then SIGKILL); the lab's `shutdown` also does this.
    func stop() async
    /// The end of the daemons' logs, for failure messages.
    func logTail() -> String
}

extension BGPPeerLabRouter {
    /// Waits until the session with `neighbor` is Established; the error names the last state seen.
    public func waitUntilEstablished(_ neighbor: String, timeout: Duration = .seconds(60)) async throws {
        try await Polling.until(
            "\(label) has an Established session with \(neighbor)", timeout: timeout,
            context: { "; last state: \((try? sessionState(of: neighbor))?.rawValue ?? "unknown")\n\(logTail())" }
        ) { try sessionState(of: neighbor) == .established }
    }

    /// Waits until the routes received from `neighbor` satisfy `condition` and returns them.
    @discardableResult
    public func waitForRoutes(
        from neighbor: String, timeout: Duration = .seconds(60), _ what: String = "the expected routes",
        until condition: ([BGPPeerLabRoute]) -> Bool
    ) async throws -> [BGPPeerLabRoute] {
        var last: [BGPPeerLabRoute] = []
        try await Polling.until(
            "\(label) received \(what) from \(neighbor)", timeout: timeout,
            context: { "; last seen: \(last)" }
        ) {
            last = try receivedRoutes(from: neighbor)
            return condition(last)
        }
        return last
    }

    /// Watches the session with `neighbor` for `duration` and returns whether it ever was Established.
    ///
    /// For negative tests (a wrong MD5 password): it polls rather than sleeping once, so a session
    /// that comes up briefly is still seen.
    public func everEstablished(_ neighbor: String, within duration: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + duration
        while ContinuousClock.now < deadline {
            if (try? sessionState(of: neighbor)) == .established { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return (try? sessionState(of: neighbor)) == .established
    }
}
