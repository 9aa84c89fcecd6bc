import Agent
import BGP
import Logging
import Testing

@testable import BGPSpeaker

/// The per-peer BGP series follow the peers: a peer that goes takes its series with it, instead of
/// leaving them at their last value.
@Suite struct BGPPeerMetricsTests {
    func status(_ address: String, established: Bool, accepted: Int) throws -> BGPPeerStatus {
        BGPPeerStatus(
            address: try #require(BGPAddress(address)), remoteAS: .fixed(65000),
            state: established ? .established : .active, uptime: nil, lastError: nil, prefixesReceived: accepted,
            prefixesAccepted: accepted, prefixesAdvertised: 1, dynamic: false)
    }

    @Test func aPeerThatGoesTakesItsSeriesWithIt() throws {
        let metrics = AgentMetrics(configuration: .init(containers: false), logger: Logger(label: "test"))
        let gauges = BGPPeerMetrics(factory: metrics.factory)
        func exposition() -> String { String(decoding: metrics.render(), as: UTF8.self) }

        let both = gauges.record([
            try status("10.255.1.1", established: true, accepted: 3),
            try status("10.255.1.2", established: false, accepted: 0),
        ])
        #expect(exposition().contains(#"rudder_bgp_session_established{peer="10.255.1.1"} 1"#))
        #expect(exposition().contains(#"rudder_bgp_prefixes_received{peer="10.255.1.2"} 0"#))

        let one = gauges.record([try status("10.255.1.1", established: true, accepted: 4)], previous: both)
        #expect(one == ["10.255.1.1"])
        let text = exposition()
        #expect(!text.contains("10.255.1.2"), "\(text)")
        #expect(text.contains(#"rudder_bgp_prefixes_received{peer="10.255.1.1"} 4"#), "\(text)")

        gauges.record([], previous: one)
        #expect(!exposition().contains("rudder_bgp_"), "no peer, no series")
    }
}
