import Addresses
import Agent
import Foundation
import IPVS
import Kubernetes
import KubernetesModel
import RudderLab
import ServiceProxy
import Testing

/// The service proxy corpus (real-shaped objects, each with the IPVS table kube-proxy programs for
/// it) through the agent's translation: what the agent would program must be kube-proxy's table.
/// `AgentServiceCasesTests` runs the same corpus through `rudder run` into a real kernel.
@Suite struct ServiceCasesTests {
    @Test(arguments: try ServiceCase.all().map(\.name))
    func theAgentProgramsWhatKubeProxyDoes(_ name: String) throws {
        let cases = try ServiceCase.all()
        let corpus = try #require(cases.first { $0.name == name })
        let node = try JSONDecoder().decode(Node.self, from: Data(try ServiceCase.nodeJSON().utf8))
        var catalog = ServiceCatalog(
            translator: KubernetesServiceTranslator(
                nodeName: node.metadata.name, zone: node.metadata.labels[KubernetesServiceTranslator.zoneLabel]))
        for object in corpus.objects {
            let data = Data(object.utf8)
            struct Kind: Decodable { var kind: String }
            if try JSONDecoder().decode(Kind.self, from: data).kind == "Service" {
                let service = try JSONDecoder().decode(KubernetesModel.Service.self, from: data)
                catalog.set(service: service, name: KubernetesServiceTranslator.name(of: service))
            } else {
                catalog.set(slice: try JSONDecoder().decode(EndpointSlice.self, from: data), previous: nil)
            }
        }
        let addresses = [AddressFamily.ipv4, .ipv6].compactMap { family in
            node.status.addresses.filter { $0.type == "InternalIP" }.compactMap { IPAddress($0.address) }
                .first { $0.family == family }
        }
        let settings = ProxySettings(nodeAddresses: addresses)
        var lines: [String] = []
        for (_, translation) in catalog.translations {
            guard case .proxied(let service, _, _) = translation else { continue }
            lines += Self.saveLines(ServiceTranslator.dataplane(for: service, settings: settings))
        }
        #expect(lines.sorted() == corpus.ipvs, "\(corpus.description)\nkube-proxy: \(corpus.kubeProxy)")
    }

    /// A dataplane as `ipvsadm -Sn` prints it.
    static func saveLines(_ plane: ServiceDataplane) -> [String] {
        var lines: [String] = []
        for (key, desired) in plane.virtualServices {
            guard case .address(let transport, let address, let port) = key else { continue }
            let flag =
                switch transport {
                case .tcp: "-t"
                case .udp: "-u"
                case .sctp: "--sctp-service"
                }
            let service = "\(flag) \(IPVSServiceKey.endpoint(address, port))"
            var line = "-A \(service) -s \(desired.service.scheduler)"
            if desired.service.persistenceTimeout > 0 { line += " -p \(desired.service.persistenceTimeout)" }
            lines.append(line)
            for server in desired.realServers {
                lines.append(
                    "-a \(service) -r \(IPVSServiceKey.endpoint(server.address, server.port)) -m -w \(server.weight)")
            }
        }
        return lines
    }
}
