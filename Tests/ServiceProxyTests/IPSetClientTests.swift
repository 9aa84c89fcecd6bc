import Addresses
import Dispatch
import Foundation
import Netfilter
import RudderLab
import ServiceProxy
import Testing

/// IPSetClient against the host kernel, one network namespace per test, checked with the `ipset` CLI.
@Suite(.enabled(if: getuid() == 0, "network namespaces need root"))
struct IPSetClientTests {
    @Test(arguments: IPSetType.allCases, AddressFamily.allCases)
    func createAddDeleteListAndDestroy(type: IPSetType, family: AddressFamily) async throws {
        try await withNetworkNamespace { fixture in
            let client = try IPSetClient(namespace: fixture.namespace)
            let name = "RUDDER-\(type.rawValue.replacingOccurrences(of: ":", with: "-"))-\(family)"
            let samples = Self.samples(type, family)
            try client.create(name: name, type: type, family: family)
            for (member, _) in samples { try client.add(member, to: name) }
            try client.add(samples[0].member, to: name)

            let saved = try Self.save(name, in: fixture)
            let familyName = family == .ipv4 ? "inet" : "inet6"
            #expect(saved.header.hasPrefix("create \(name) \(type) family \(familyName) hashsize 1024 maxelem 65536"))
            #expect(saved.members == Set(samples.map(\.cli)))
            #expect(Set(try client.members(of: name)) == Set(samples.map(\.member)))
            #expect(try client.names() == [name])

            try client.delete(samples[0].member, from: name)
            try client.delete(samples[0].member, from: name)
            #expect(try Self.save(name, in: fixture).members == Set(samples.dropFirst().map(\.cli)))
            #expect(Set(try client.members(of: name)) == Set(samples.dropFirst().map(\.member)))

            try client.destroy(name: name)
            #expect(try Self.names(in: fixture).isEmpty)
        }
    }

    @Test func readsSetsWrittenByTheCLI() async throws {
        try await withNetworkNamespace { fixture in
            try Self.ipset(fixture, "create", "RUDDER-CLI", "hash:ip,port", "family", "inet6")
            try Self.ipset(fixture, "add", "RUDDER-CLI", "fd00::7,udp:53")
            try Self.ipset(fixture, "add", "RUDDER-CLI", "fd00::7,tcp:443")
            try Self.ipset(fixture, "create", "RUDDER-CLI-NET", "hash:net")
            try Self.ipset(fixture, "add", "RUDDER-CLI-NET", "10.7.0.0/16")
            try Self.ipset(fixture, "add", "RUDDER-CLI-NET", "10.8.0.1")
            let client = try IPSetClient(namespace: fixture.namespace)
            #expect(Set(try client.names()) == ["RUDDER-CLI", "RUDDER-CLI-NET"])
            let v6 = IPAddress("fd00::7")!
            #expect(
                Set(try client.members(of: "RUDDER-CLI")) == [
                    .ipPort(v6, protocol: .udp, port: 53), .ipPort(v6, protocol: .tcp, port: 443),
                ])
            #expect(
                Set(try client.members(of: "RUDDER-CLI-NET")) == [
                    .net(try IPPrefix(parsing: "10.7.0.0/16")), .net(try IPPrefix(parsing: "10.8.0.1/32")),
                ])
        }
    }

    @Test func replaceMembersCreatesThenSwapsInExactlyTheNewMembers() async throws {
        try await withNetworkNamespace { fixture in
            let client = try IPSetClient(namespace: fixture.namespace)
            let name = "RUDDER-REPLACE"
            let first = Set(try ["10.0.0.1", "10.0.0.2", "10.0.0.3"].map(Self.member))
            try client.replaceMembers(of: name, with: first, type: .hashIP, family: .ipv4)
            #expect(try Self.save(name, in: fixture).members == Set(first.map(\.description)))
            #expect(try Self.names(in: fixture) == [name])

            let second = Set(try ["10.0.0.3", "10.0.0.4"].map(Self.member))
            let options = IPSetOptions(hashSize: 2048, maxElements: 1000)
            try client.replaceMembers(of: name, with: second, type: .hashIP, family: .ipv4, options: options)
            let saved = try Self.save(name, in: fixture)
            #expect(saved.members == ["10.0.0.3", "10.0.0.4"])
            #expect(saved.header.contains("hashsize 2048 maxelem 1000"))
            #expect(try Self.names(in: fixture) == [name])

            try client.replaceMembers(of: name, with: [], type: .hashIP, family: .ipv4)
            #expect(try Self.save(name, in: fixture).members.isEmpty)
            #expect(try Self.names(in: fixture) == [name])
        }
    }

    @Test func swapExchangesContents() async throws {
        try await withNetworkNamespace { fixture in
            let client = try IPSetClient(namespace: fixture.namespace)
            try client.create(name: "RUDDER-LEFT", type: .hashNet, family: .ipv6)
            try client.create(
                name: "RUDDER-RIGHT", type: .hashNet, family: .ipv6, options: IPSetOptions(maxElements: 10))
            try client.add(try Self.member("fd00:1::/64"), to: "RUDDER-LEFT")
            try client.add(try Self.member("fd00:2::/64"), to: "RUDDER-RIGHT")
            try client.swap("RUDDER-LEFT", "RUDDER-RIGHT")
            #expect(try Self.save("RUDDER-LEFT", in: fixture).members == ["fd00:2::/64"])
            #expect(try Self.save("RUDDER-LEFT", in: fixture).header.contains("maxelem 10"))
            #expect(try Self.save("RUDDER-RIGHT", in: fixture).members == ["fd00:1::/64"])
        }
    }

    @Test func temporaryNamesFitTheKernelAndALeftoverOneIsRemoved() async throws {
        try await withNetworkNamespace { fixture in
            let client = try IPSetClient(namespace: fixture.namespace)
            let name = "RUDDER-" + String(repeating: "L", count: 24)
            let temporary = client.temporaryName(for: name)
            #expect(temporary.utf8.count <= IPSetClient.maximumNameLength)
            #expect(client.isOwned(temporary))
            #expect(temporary != name && temporary == client.temporaryName(for: name))
            #expect(client.temporaryName(for: "RUDDER-A") != client.temporaryName(for: "RUDDER-B"))

            // As if an earlier replacement had crashed after filling its temporary set.
            try Self.ipset(fixture, "create", temporary, "hash:net", "family", "inet6")
            try Self.ipset(fixture, "add", temporary, "fd00::/64")
            let members = Set(try ["10.1.0.0/24", "10.2.0.0/16"].map(Self.member))
            try client.replaceMembers(of: name, with: members, type: .hashNet, family: .ipv4)
            #expect(try Self.names(in: fixture) == [name])
            #expect(try Self.save(name, in: fixture).members == ["10.1.0.0/24", "10.2.0.0/16"])
        }
    }

    @Test func replaceKeepsAFirewallRuleOnTheSetAndIsAtomicForReaders() async throws {
        try await withNetworkNamespace { fixture in
            let client = try IPSetClient(namespace: fixture.namespace)
            let name = "RUDDER-ATOMIC"
            let old = Set((0..<2000).map { IPSetMember.ip(.v4(0x0a01_0000 + UInt32($0))) })
            let new = Set((0..<2000).map { IPSetMember.ip(.v4(0x0a02_0000 + UInt32($0))) })
            try client.replaceMembers(of: name, with: old, type: .hashIP, family: .ipv4)
            let rule = ["-A", "INPUT", "-m", "set", "--match-set", name, "src", "-j", "ACCEPT"]
            let iptables = try fixture.run("iptables", rule)
            try #require(iptables.succeeded, "\(iptables.stderr)")

            // A reader in another process dumps the set over and over while it is replaced; the
            // kernel refuses a swap during a dump, which replaceMembers waits out.
            let reader = Process()
            reader.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
            reader.arguments = [
                "netns", "exec", fixture.name, "sh", "-c",
                "for i in $(seq 60); do ipset save \(name) || exit 1; echo END; done",
            ]
            // An unlinked file, not a pipe: a reader blocked on a full pipe would hold its dump open.
            let output = try Self.unlinkedFile()
            reader.standardOutput = output
            try reader.run()
            for round in 0..<10 {
                try client.replaceMembers(of: name, with: round % 2 == 0 ? new : old, type: .hashIP, family: .ipv4)
            }
            reader.waitUntilExit()
            #expect(reader.terminationStatus == 0)
            try output.seek(toOffset: 0)
            let data = try output.readToEnd() ?? Data()

            let snapshots = String(decoding: data, as: UTF8.self).components(separatedBy: "END\n").dropLast()
            #expect(snapshots.count == 60)
            let oldText = Set(old.map(\.description))
            let newText = Set(new.map(\.description))
            for snapshot in snapshots {
                let members = Set(Self.addLines(snapshot, name: name))
                #expect(members == oldText || members == newText, "a reader saw a half-replaced set")
            }
            #expect(try Self.save(name, in: fixture).members == oldText)
            #expect(try Self.names(in: fixture) == [name])
            let listing = try Self.ipset(fixture, "list", name, "-terse")
            #expect(listing.contains("References: 1"))
        }
    }

    @Test func tenThousandMemberReplace() async throws {
        try await withNetworkNamespace { fixture in
            let client = try IPSetClient(namespace: fixture.namespace)
            let name = "RUDDER-BIG"
            let first = Set(
                (0..<10_000).map {
                    IPSetMember.ipPort(.v4(0x0a00_0000 + UInt32($0)), protocol: .tcp, port: UInt16(80 + $0 % 3))
                })
            try client.replaceMembers(of: name, with: first, type: .hashIPPort, family: .ipv4)
            #expect(try Self.save(name, in: fixture).members == Set(first.map(\.description)))
            let second = Set(first.prefix(5_000))
            try client.replaceMembers(of: name, with: second, type: .hashIPPort, family: .ipv4)
            #expect(Set(try client.members(of: name)) == second)
            #expect(try Self.names(in: fixture) == [name])
        }
    }

    @Test func foreignSetsAreReadableButNeverChanged() async throws {
        try await withNetworkNamespace { fixture in
            try Self.ipset(fixture, "create", "KUBE-FOREIGN", "hash:ip")
            try Self.ipset(fixture, "add", "KUBE-FOREIGN", "10.9.9.9")
            let before = try Self.ipset(fixture, "save")
            let client = try IPSetClient(namespace: fixture.namespace)
            try client.create(name: "RUDDER-MINE", type: .hashIP, family: .ipv4)
            let member = IPSetMember.ip(IPAddress("10.9.9.8")!)
            let foreign = "KUBE-FOREIGN"

            let attempts: [(String, () throws(IPSetError) -> Void)] = [
                ("create", { () throws(IPSetError) in try client.create(name: foreign, type: .hashIP, family: .ipv4) }),
                ("destroy", { () throws(IPSetError) in try client.destroy(name: foreign) }),
                ("add", { () throws(IPSetError) in try client.add(member, to: foreign) }),
                ("delete", { () throws(IPSetError) in try client.delete(.ip(IPAddress("10.9.9.9")!), from: foreign) }),
                ("swap", { () throws(IPSetError) in try client.swap("RUDDER-MINE", foreign) }),
                ("swap back", { () throws(IPSetError) in try client.swap(foreign, "RUDDER-MINE") }),
                (
                    "replace",
                    { () throws(IPSetError) in
                        try client.replaceMembers(of: foreign, with: [member], type: .hashIP, family: .ipv4)
                    }
                ),
            ]
            for (label, attempt) in attempts {
                let error = #expect(throws: IPSetError.self, "\(label)") { try attempt() }
                #expect(error?.kind == .notOwned, "\(label)")
                #expect(error?.setName == foreign, "\(label)")
                #expect(error?.description.contains(": \(foreign) is not owned by Rudder") == true, "\(label)")
            }
            let after = try Self.ipset(fixture, "save")
            #expect(Self.withoutMine(after) == before)
            #expect(try client.members(of: foreign) == [.ip(IPAddress("10.9.9.9")!)])
            #expect(Set(try client.names()) == [foreign, "RUDDER-MINE"])
        }
    }

    @Test func badInputGivesOneClearLineNamingTheSet() async throws {
        try await withNetworkNamespace { fixture in
            let client = try IPSetClient(namespace: fixture.namespace)
            let name = "RUDDER-V4"
            try client.create(name: name, type: .hashIP, family: .ipv4)
            try client.add(.ip(IPAddress("10.0.0.1")!), to: name)

            let wrongFamily = try Self.failure { () throws(IPSetError) in
                try client.add(.ip(IPAddress("fd00::1")!), to: name)
            }
            #expect(wrongFamily.kind == .invalidArgument)
            #expect(
                wrongFamily.description
                    == "ipset add fd00::1 to RUDDER-V4: member fd00::1 is inet6 but the set is family inet")

            let ipPort = try Self.member("10.0.0.9,tcp:80")
            let wrongKind = try Self.failure { () throws(IPSetError) in try client.add(ipPort, to: name) }
            #expect(wrongKind.kind == .invalidArgument)
            #expect(wrongKind.description.contains("does not fit a hash:ip set"))

            let unknown = try Self.failure { () throws(IPSetError) in
                try client.add(.ip(IPAddress("10.0.0.1")!), to: "RUDDER-NOPE")
            }
            #expect(unknown.kind == .failed)
            #expect(unknown.setName == "RUDDER-NOPE")
            #expect(
                unknown.description == "ipset add 10.0.0.1 to RUDDER-NOPE: The set with the given name does not exist")

            // A failed dump leaves libipset's session unusable; the client must recover.
            let unlisted = try Self.failure { () throws(IPSetError) in _ = try client.members(of: "RUDDER-NOPE") }
            #expect(unlisted.description == "ipset list RUDDER-NOPE: The set with the given name does not exist")
            try client.add(.ip(IPAddress("10.0.0.2")!), to: name)
            #expect(Set(try client.members(of: name)) == [.ip(IPAddress("10.0.0.1")!), .ip(IPAddress("10.0.0.2")!)])

            let duplicate = try Self.failure { () throws(IPSetError) in
                try client.create(name: name, type: .hashNet, family: .ipv6)
            }
            #expect(duplicate.description.hasSuffix("Set cannot be created: set with the same name already exists"))

            let tooLong = try Self.failure { () throws(IPSetError) in
                try client.create(name: "RUDDER-" + String(repeating: "X", count: 30), type: .hashIP, family: .ipv4)
            }
            #expect(tooLong.kind == .invalidArgument)
            #expect(tooLong.message.contains("at most 31 characters"))

            let hostBits = try Self.failure { () throws(IPSetError) in
                try client.replaceMembers(
                    of: "RUDDER-NET", with: [.net(IPPrefix(address: IPAddress("10.0.0.5")!, length: 24))],
                    type: .hashNet, family: .ipv4)
            }
            #expect(hostBits.description.contains("10.0.0.5/24 has host bits set"))

            let mixed = try Self.failure { () throws(IPSetError) in
                try client.replaceMembers(
                    of: name, with: [.ip(IPAddress("10.0.0.7")!), .ip(IPAddress("fd00::7")!)], type: .hashIP,
                    family: .ipv4)
            }
            #expect(mixed.kind == .invalidArgument)
            #expect(
                mixed.description
                    == "ipset replace members of RUDDER-V4: member fd00::7 is inet6 but the set is family inet")

            let otherType = try Self.failure { () throws(IPSetError) in
                try client.replaceMembers(of: name, with: [], type: .hashNet, family: .ipv4)
            }
            #expect(otherType.kind == .failed)
            #expect(otherType.description.hasSuffix("The sets cannot be swapped: their type does not match"))

            let noNamespace = try Self.failure { () throws(IPSetError) in
                _ = try IPSetClient(namespace: .named("rudder-no-such-namespace"))
            }
            #expect(noNamespace.operation == .open(.named("rudder-no-such-namespace")))
            #expect(noNamespace.description.contains("/run/netns/rudder-no-such-namespace"))

            let longPrefix = try Self.failure { () throws(IPSetError) in
                _ = try IPSetClient(namespace: fixture.namespace, ownedPrefix: "RUDDER-ENGINEERING-X-")
            }
            #expect(longPrefix.kind == .invalidArgument)

            let errors = [
                wrongFamily, wrongKind, unknown, unlisted, duplicate, tooLong, hostBits, mixed, otherType, noNamespace,
                longPrefix,
            ]
            for error in errors {
                #expect(!error.description.contains("\n"))
            }
            // Nothing half-done is left behind, and the set kept its members.
            #expect(try Self.names(in: fixture) == [name])
            #expect(try Self.save(name, in: fixture).members == ["10.0.0.1", "10.0.0.2"])
        }
    }

    @Test func sameNameInTwoNamespacesWithDifferentFamilies() async throws {
        try await withNetworkNamespaces { here, there in
            let first = try IPSetClient(namespace: here.namespace)
            let second = try IPSetClient(namespace: there.namespace)
            let name = "RUDDER-SHARED"
            try first.create(name: name, type: .hashIP, family: .ipv4)
            try second.create(name: name, type: .hashIP, family: .ipv6)
            // libipset caches set types per process by name; each client must still use its own kernel's.
            for index in 1...3 {
                try first.add(.ip(.v4(0x0a00_0000 + UInt32(index))), to: name)
                try second.add(.ip(.v6(0xfd00 << 48, UInt64(index))), to: name)
            }
            #expect(try Self.save(name, in: here).members == ["10.0.0.1", "10.0.0.2", "10.0.0.3"])
            #expect(try Self.save(name, in: there).members == ["fd00::1", "fd00::2", "fd00::3"])
        }
    }

    @Test func concurrentCallsFromManyThreads() async throws {
        try await withNetworkNamespace { fixture in
            let client = try IPSetClient(namespace: fixture.namespace)
            DispatchQueue.concurrentPerform(iterations: 8) { worker in
                let name = "RUDDER-W\(worker)"
                do {
                    try client.create(name: name, type: .hashNet, family: .ipv4)
                    for index in 0..<25 {
                        let prefix = IPPrefix(
                            address: .v4(0x0a00_0000 | UInt32(worker) << 16 | UInt32(index) << 8), length: 24)
                        try client.add(.net(prefix), to: name)
                    }
                } catch {
                    Issue.record(error)
                }
            }
            #expect(try Self.names(in: fixture).count == 8)
            for worker in 0..<8 {
                #expect(try client.members(of: "RUDDER-W\(worker)").count == 25)
            }
        }
    }

    /// Members of each type and family, with the text `ipset save` prints for them.
    static func samples(_ type: IPSetType, _ family: AddressFamily) -> [(member: IPSetMember, cli: String)] {
        let texts: [String] =
            switch (type, family) {
            case (.hashIP, .ipv4): ["10.0.0.1", "10.0.0.2"]
            case (.hashIP, .ipv6): ["fd00::1", "fd00::2"]
            case (.hashNet, .ipv4): ["10.1.0.0/24", "10.2.0.5/32"]
            case (.hashNet, .ipv6): ["fd00:1::/64", "fd00:2::1/128"]
            case (.hashIPPort, .ipv4): ["10.0.0.1,tcp:80", "10.0.0.1,udp:53", "10.0.0.2,sctp:5000"]
            case (.hashIPPort, .ipv6): ["fd00::1,tcp:80", "fd00::1,udp:53", "fd00::2,sctp:5000"]
            case (.hashIPPortIP, .ipv4): ["10.244.1.5,tcp:8080,10.244.1.5", "10.244.1.5,udp:53,10.244.1.6"]
            case (.hashIPPortIP, .ipv6): ["fd00::5,tcp:8080,fd00::5", "fd00::5,sctp:9,fd00::6"]
            case (.hashIPPortNet, .ipv4): ["203.0.113.10,tcp:443,192.0.2.0/24", "203.0.113.10,udp:53,198.51.100.7/32"]
            case (.hashIPPortNet, .ipv6): ["2001:db8::10,tcp:443,2001:db8:1::/48", "2001:db8::10,tcp:80,fd00::7/128"]
            }
        return texts.map { text in
            let member = IPSetMember(text)!
            // hash:net prints host prefixes as bare addresses.
            let cli = text.hasSuffix("/32") || text.hasSuffix("/128") ? String(text.split(separator: "/")[0]) : text
            return (member, cli)
        }
    }

    static func member(_ text: String) throws -> IPSetMember {
        try #require(IPSetMember(text), "\(text) is not an ipset member")
    }

    /// Runs `ipset ARGUMENTS` in the namespace and returns its output; fails the test on error.
    @discardableResult
    static func ipset(_ fixture: NetworkNamespaceFixture, _ arguments: String...) throws -> String {
        let result = try fixture.run("ipset", arguments)
        try #require(result.succeeded, "ipset \(arguments.joined(separator: " ")): \(result.stderr)")
        return result.stdout
    }

    /// What `ipset save NAME` says: the create line and the members.
    static func save(
        _ name: String, in fixture: NetworkNamespaceFixture
    ) throws -> (header: String, members: Set<String>) {
        let text = try ipset(fixture, "save", name)
        let header = text.split(separator: "\n").first { $0.hasPrefix("create ") }.map(String.init) ?? ""
        return (header, Set(addLines(text, name: name)))
    }

    static func addLines(_ text: String, name: String) -> [String] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            return fields.count >= 3 && fields[0] == "add" && fields[1] == name ? String(fields[2]) : nil
        }
    }

    static func names(in fixture: NetworkNamespaceFixture) throws -> [String] {
        try ipset(fixture, "list", "-name").split(separator: "\n").map(String.init).sorted()
    }

    /// `ipset save` output without the lines of RUDDER-MINE, which the test itself made.
    static func withoutMine(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.contains("RUDDER-MINE") }.joined(separator: "\n")
    }

    /// A file that no directory names, so nothing is left behind.
    static func unlinkedFile() throws -> FileHandle {
        var template = Array("/tmp/rudder-ipset-test-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        try #require(descriptor >= 0, "mkstemp failed")
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }

    static func failure(_ body: () throws(IPSetError) -> Void) throws -> IPSetError {
        do {
            try body()
        } catch {
            return error
        }
        Issue.record("expected an IPSetError")
        throw CancellationError()
    }
}

/// ipset's member syntax, without a kernel.
struct IPSetMemberSyntaxTests {
    @Test func descriptionsAreIpsetSyntaxAndParseBack() throws {
        let cases: [(IPSetMember, String)] = [
            (.ip(IPAddress("10.0.0.1")!), "10.0.0.1"),
            (.ip(IPAddress("fd00::1")!), "fd00::1"),
            (.net(try IPPrefix(parsing: "10.0.0.0/24")), "10.0.0.0/24"),
            (.net(try IPPrefix(parsing: "fd00:1::/64")), "fd00:1::/64"),
            (.ipPort(IPAddress("10.0.0.1")!, protocol: .tcp, port: 80), "10.0.0.1,tcp:80"),
            (.ipPort(IPAddress("fd00::1")!, protocol: .udp, port: 53), "fd00::1,udp:53"),
            (.ipPort(IPAddress("10.0.0.2")!, protocol: .sctp, port: 5000), "10.0.0.2,sctp:5000"),
            (
                .ipPortIP(IPAddress("10.244.1.5")!, protocol: .tcp, port: 8080, IPAddress("10.244.1.5")!),
                "10.244.1.5,tcp:8080,10.244.1.5"
            ),
            (
                .ipPortIP(IPAddress("fd00::5")!, protocol: .udp, port: 53, IPAddress("fd00::6")!),
                "fd00::5,udp:53,fd00::6"
            ),
        ]
        for (member, text) in cases {
            #expect(member.description == text)
            #expect(IPSetMember(text) == member)
        }
        #expect(IPSetMember(parsing: "10.8.0.1", as: .hashNet) == .net(try IPPrefix(parsing: "10.8.0.1/32")))
        #expect(IPSetMember(parsing: "fd00::9", as: .hashNet) == .net(try IPPrefix(parsing: "fd00::9/128")))
        #expect(IPSetMember(parsing: "10.8.0.1", as: .hashIP) == .ip(IPAddress("10.8.0.1")!))
        #expect(IPSetMember(parsing: "10.8.0.0/16", as: .hashIP) == nil)
        #expect(IPSetMember(parsing: "10.8.0.1", as: .hashIPPort) == nil)
        #expect(IPSetMember(parsing: "10.8.0.1,tcp:80", as: .hashIPPortIP) == nil)
        #expect(IPSetMember(parsing: "10.8.0.1,tcp:80,10.8.0.1", as: .hashIPPort) == nil)
        #expect(IPSetMember("10.8.0.1,tcp:80,fd00::1") == nil, "the two addresses are of one family")
        for bad in ["", "10.0.0.256", "10.0.0.5/24", "10.0.0.1,icmp:ping", "10.0.0.1,tcp:70000", "10.0.0.1,tcp", "x"] {
            #expect(IPSetMember(bad) == nil, "\(bad)")
        }
    }

    @Test func typesAcceptOnlyTheirOwnShapeOfMember() throws {
        let ip = IPSetMember.ip(IPAddress("10.0.0.1")!)
        let net = IPSetMember.net(try IPPrefix(parsing: "10.0.0.0/8"))
        let ipPort = IPSetMember.ipPort(IPAddress("10.0.0.1")!, protocol: .tcp, port: 1)
        #expect(IPSetType.hashIP.accepts(ip) && !IPSetType.hashIP.accepts(net) && !IPSetType.hashIP.accepts(ipPort))
        #expect(IPSetType.hashNet.accepts(net) && !IPSetType.hashNet.accepts(ip))
        #expect(IPSetType.hashIPPort.accepts(ipPort) && !IPSetType.hashIPPort.accepts(ip))
        #expect(IPSetType.hashIPPort.description == "hash:ip,port")
        let ipPortIP = IPSetMember.ipPortIP(IPAddress("10.0.0.1")!, protocol: .tcp, port: 1, IPAddress("10.0.0.1")!)
        #expect(IPSetType.hashIPPortIP.accepts(ipPortIP) && !IPSetType.hashIPPortIP.accepts(ipPort))
        #expect(!IPSetType.hashIPPort.accepts(ipPortIP))
        #expect(IPSetType.hashIPPortIP.description == "hash:ip,port,ip")
    }

    @Test func errorsFoldLibipsetMessagesOntoOneLine() {
        let error = IPSetError(
            setName: "RUDDER-A", operation: .swap(with: "RUDDER-B"), kind: .failed,
            message: "The sets cannot be swapped: their type does not match\n")
        #expect(
            error.description
                == "ipset swap RUDDER-A with RUDDER-B: The sets cannot be swapped: their type does not match")
        let twoLines = IPSetError(setName: nil, operation: .listNames, kind: .failed, message: " first\n second \n")
        #expect(twoLines.description == "ipset list set names: first; second")
    }
}
