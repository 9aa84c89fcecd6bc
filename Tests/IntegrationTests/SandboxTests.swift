import Foundation
import GuestTesting
import Netlink
import RudderLab
import Testing

/// Checks the test sandboxes themselves: User-Mode Linux guests and host network namespaces.
///
/// Tests that need the UML kernel carry `.inGuest`: on the host it boots a guest that runs this
/// same test bundle filtered to the test, and inside the guest the test does the kernel work.
/// Booting needs root and the user-mode-linux package, hence `.userModeLinux`.
@Suite struct SandboxTests {
    /// The host kernel has no IPVS; the guest kernel's ip_vs module registers the "IPVS" family.
    @Test(.userModeLinux, .inGuest(modules: ["ip_vs"]))
    func ipvsFamilyResolvesInGuest() async throws {
        let genl = try GenericNetlink(namespace: .current)
        let family = try genl.resolveFamily("IPVS")
        #expect(family.name == "IPVS")
        #expect(family.id != 0)
    }

    /// Proves the split above is needed: without ip_vs loaded, resolving the family fails.
    @Test(
        .enabled(
            if: !UserModeLinux.isGuest && !FileManager.default.fileExists(atPath: "/sys/module/ip_vs"),
            "checks the host kernel's missing IPVS, the reason the guests exist; on a kernel with IPVS there is nothing to check"
        ))
    func ipvsFamilyIsMissingOnHost() throws {
        let genl = try GenericNetlink(namespace: .current)
        #expect(throws: NetlinkError.self) { try genl.resolveFamily("IPVS") }
    }

    /// The host kernel has no dummy link type; the guest kernel has it as a module.
    @Test(.userModeLinux, .inGuest(modules: ["dummy"]))
    func dummyLinkInGuest() async throws {
        let rt = try Rtnetlink(namespace: .current)
        try rt.addDummy(name: "rdummy0")
        let link = try #require(try rt.link(named: "rdummy0"))
        #expect(link.kind == "dummy")
        #expect(!link.isUp)
        try rt.setLink(named: "rdummy0", up: true)
        #expect(try rt.link(named: "rdummy0")?.isUp == true)
        try rt.deleteLink(named: "rdummy0")
        #expect(try rt.link(named: "rdummy0") == nil)
    }

    /// The guest's exit status and output reach the host, and the guest's /run is its own.
    @Test(.enabled(if: UserModeLinux.isAvailable, "needs root and linux.uml"))
    func guestCommandReportsOutputAndStatus() async throws {
        let namespace = "rudder-guest-probe-\(UInt32.random(in: .min ... .max))"
        let script = """
            echo hello
            echo "marker=$RUDDER_IN_GUEST probe=$PROBE"
            ip netns add \(namespace) && ls /run/netns
            echo oops >&2
            exit 3
            """
        let result = try await UserModeLinux.run(shell: script, environment: ["PROBE": "it's here"])
        #expect(result.exitStatus == 3)
        #expect(result.output.contains("hello"))
        #expect(result.output.contains("marker=1 probe=it's here"))
        #expect(result.output.contains(namespace))
        #expect(result.output.contains("oops"))
        // The guest mounted its own /run, so its namespace file never reached the host.
        #expect(!FileManager.default.fileExists(atPath: "/run/netns/\(namespace)"))
    }

    /// A module that does not exist stops the guest with an error that names it.
    @Test(.enabled(if: UserModeLinux.isAvailable, "needs root and linux.uml"))
    func missingModuleIsReported() async throws {
        await #expect {
            try await UserModeLinux.run(["true"], modules: ["rudder_no_such_module"])
        } throws: { error in
            guard case UserModeLinuxError.moduleLoadFailed(let module, _) = error else { return false }
            return module == "rudder_no_such_module"
        }
    }

    /// Namespaces with veth pairs, created and removed on the host kernel.
    @Test(.enabled(if: !UserModeLinux.isGuest && geteuid() == 0, "ip netns needs root"))
    func namespaceFixtureCreatesAndRemoves() async throws {
        let fixture = try NetworkNamespaceFixture()
        #expect(NetworkNamespaceFixture.registeredNames().contains(fixture.name))
        try fixture.addVethPair("rv0", peer: "rv1")
        try fixture.addAddress("10.255.0.1/30", to: "rv0")
        try fixture.addAddress("fd00:255::1/64", to: "rv0")
        let links = try fixture.ip("link", "show")
        #expect(links.contains("rv0@rv1"))
        #expect(links.contains("rv1@rv0"))
        #expect(try fixture.linkNames().sorted() == ["lo", "rv0", "rv1"])
        let addresses = try fixture.ip("address", "show", "dev", "rv0")
        #expect(addresses.contains("10.255.0.1/30"))
        #expect(addresses.contains("fd00:255::1/64"))
        let ours = addresses.split(separator: "\n").first { $0.contains("fd00:255::1/64") }
        #expect(ours.map { !$0.contains("tentative") } == true, "nodad leaves the address usable at once")
        let viaNetlink = try Rtnetlink(namespace: fixture.namespace).link(named: "rv0")
        #expect(viaNetlink?.kind == "veth")
        try fixture.remove()
        #expect(!NetworkNamespaceFixture.registeredNames().contains(fixture.name))
        #expect(!fixture.exists)
    }

    /// A fixture that is never removed explicitly is removed when it is released.
    @Test(.enabled(if: !UserModeLinux.isGuest && geteuid() == 0, "ip netns needs root"))
    func namespaceFixtureIsRemovedOnRelease() throws {
        var name = ""
        do {
            let fixture = try NetworkNamespaceFixture()
            name = fixture.name
            #expect(fixture.exists)
        }
        #expect(!name.isEmpty)
        #expect(!NetworkNamespaceFixture.registeredNames().contains(name))
    }

    /// A veth pair can join two namespaces, and both namespaces go away when the body throws.
    @Test(.enabled(if: !UserModeLinux.isGuest && geteuid() == 0, "ip netns needs root"))
    func namespacesAreRemovedWhenBodyThrows() async throws {
        struct Planned: Error {}
        var names: [String] = []
        await #expect(throws: Planned.self) {
            try await withNetworkNamespaces { left, right in
                names = [left.name, right.name]
                try left.addVethPair("rv0", peer: "rv1", peerNamespace: right)
                #expect(try left.linkNames().sorted() == ["lo", "rv0"])
                #expect(try right.linkNames().sorted() == ["lo", "rv1"])
                let peer = try Rtnetlink(namespace: right.namespace).link(named: "rv1")
                #expect(peer?.isUp == true)
                let sysfs = try right.run("cat", ["/sys/class/net/rv1/type"])
                #expect(sysfs.stdout == "1\n", "ip netns exec sees the namespace's own links: \(sysfs)")
                throw Planned()
            }
        }
        #expect(names.count == 2)
        let registered = NetworkNamespaceFixture.registeredNames()
        for name in names {
            #expect(!registered.contains(name))
        }
    }
}
