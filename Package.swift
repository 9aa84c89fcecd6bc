// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Rudder",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "rudder", targets: ["rudder"]),
        .executable(name: "rudder-bench", targets: ["rudder-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CNetlink", pkgConfig: "libnl-route-3.0",
            providers: [.apt(["libnl-3-dev", "libnl-route-3-dev", "libnl-genl-3-dev"])]),
        .systemLibrary(name: "CIPSet", pkgConfig: "libipset", providers: [.apt(["libipset-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // The address vocabulary every module may import: no C module, no other dependency.
        .target(name: "Addresses"),
        .target(name: "CBuildInfo"),
        .target(name: "Netlink", dependencies: ["CNetlink", "Addresses"]),
        .target(name: "BGP", dependencies: ["Addresses"]),
        .target(
            name: "BGPSpeaker",
            dependencies: [
                "Addresses", "BGP",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "PodRouting", dependencies: ["Addresses", "Netlink", .product(name: "Logging", package: "swift-log")]),
        .target(
            name: "PodNetwork",
            dependencies: ["Addresses", "Netlink", "Netfilter", .product(name: "Logging", package: "swift-log")]),
        .target(name: "HSPerfData"),
        .target(
            name: "ContainerMetrics", dependencies: ["HSPerfData", .product(name: "Logging", package: "swift-log")]),
        .target(name: "IPVS", dependencies: ["Addresses", "Netlink"]),
        // ipsets through libipset and the owned chains through iptables-restore: the netfilter
        // vocabulary that the service proxy and the pod network share.
        .target(name: "Netfilter", dependencies: ["Addresses", "Netlink", "CIPSet"]),
        .target(
            name: "ServiceProxy",
            dependencies: [
                "Addresses", "Netlink", "IPVS", "Netfilter", .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "KubernetesModel"),
        .target(
            name: "Kubernetes",
            dependencies: [
                "KubernetesModel",
                "CCurl",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "Agent",
            dependencies: [
                "Addresses", "CBuildInfo", "PodRouting", "PodNetwork", "ServiceProxy", "Netlink", "Netfilter", "IPVS",
                "Kubernetes",
                "KubernetesModel",
                "ContainerMetrics",
                "BGP", "BGPSpeaker",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(
            name: "rudder",
            dependencies: [
                "Agent",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "rudder-bench",
            dependencies: [
                "Agent", "Addresses", "BGP", "BGPSpeaker", "Kubernetes", "PodRouting", "PodNetwork", "Netlink", "IPVS",
                "ServiceProxy", "RudderLab",
                "ContainerMetrics",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(name: "RudderLab", dependencies: ["Addresses", "Netlink"], path: "Tests/RudderLab"),
        // Swift Testing traits of the lab (a test run inside a User-Mode Linux guest); tests only.
        .target(name: "GuestTesting", dependencies: ["RudderLab"], path: "Tests/GuestTesting"),
        .testTarget(name: "NetlinkTests", dependencies: ["Addresses", "Netlink", "RudderLab"]),
        .testTarget(name: "BGPTests", dependencies: ["Addresses", "BGP", "RudderLab"]),
        .testTarget(name: "PodNetworkTests", dependencies: ["Addresses", "PodNetwork", "Netlink", "Netfilter"]),
        .testTarget(name: "PodRoutingTests", dependencies: ["Addresses", "PodRouting", "Netlink", "RudderLab"]),
        .testTarget(
            name: "ServiceProxyTests",
            dependencies: ["Addresses", "IPVS", "Netfilter", "ServiceProxy", "Netlink", "RudderLab"]),
        .testTarget(name: "KubernetesTests", dependencies: ["Kubernetes", "KubernetesModel", "RudderLab"]),
        .testTarget(
            name: "ContainerMetricsTests",
            dependencies: ["ContainerMetrics", "HSPerfData", "RudderLab", "GuestTesting"]),
        .testTarget(name: "BGPInteropTests", dependencies: ["RudderLab"]),
        .testTarget(
            name: "BGPSpeakerTests",
            dependencies: [
                "Addresses", "BGP", "BGPSpeaker", "RudderLab", "Netlink",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "AgentTests",
            dependencies: [
                "Addresses", "Agent", "Kubernetes", "KubernetesModel", "PodRouting", "PodNetwork", "IPVS",
                "ServiceProxy",
                "BGP", "RudderLab",
                .product(name: "Yams", package: "Yams"),
            ]),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "Addresses", "Agent", "Kubernetes", "KubernetesModel", "PodRouting", "PodNetwork", "IPVS", "Netfilter",
                "ServiceProxy", "Netlink", "RudderLab", "GuestTesting",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ]),
    ],
    swiftLanguageModes: [.v6]
)
