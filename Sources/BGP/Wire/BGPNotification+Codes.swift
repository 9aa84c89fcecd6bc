extension BGPNotification {
    /// The error codes of RFC 4271 §4.5, RFC 7313 and others.
    public enum Code: UInt8, Sendable, CustomStringConvertible {
        case messageHeader = 1
        case openMessage = 2
        case updateMessage = 3
        case holdTimerExpired = 4
        case finiteStateMachine = 5
        case cease = 6
        case routeRefreshMessage = 7

        /// The RFC's name of the code.
        public var description: String {
            switch self {
            case .messageHeader: "Message Header Error"
            case .openMessage: "OPEN Message Error"
            case .updateMessage: "UPDATE Message Error"
            case .holdTimerExpired: "Hold Timer Expired"
            case .finiteStateMachine: "Finite State Machine Error"
            case .cease: "Cease"
            case .routeRefreshMessage: "ROUTE-REFRESH Message Error"
            }
        }
    }

    /// Message Header Error subcodes (RFC 4271 §6.1).
    public enum HeaderSubcode: UInt8, Sendable, CustomStringConvertible {
        case connectionNotSynchronized = 1
        case badMessageLength = 2
        case badMessageType = 3

        /// The RFC's name of the subcode.
        public var description: String {
            switch self {
            case .connectionNotSynchronized: "Connection Not Synchronized"
            case .badMessageLength: "Bad Message Length"
            case .badMessageType: "Bad Message Type"
            }
        }
    }

    /// OPEN Message Error subcodes (RFC 4271 §6.2, RFC 5492).
    public enum OpenSubcode: UInt8, Sendable, CustomStringConvertible {
        case unspecific = 0
        case unsupportedVersionNumber = 1
        case badPeerAS = 2
        case badBGPIdentifier = 3
        case unsupportedOptionalParameter = 4
        case unacceptableHoldTime = 6
        case unsupportedCapability = 7

        /// The RFC's name of the subcode.
        public var description: String {
            switch self {
            case .unspecific: "Unspecific"
            case .unsupportedVersionNumber: "Unsupported Version Number"
            case .badPeerAS: "Bad Peer AS"
            case .badBGPIdentifier: "Bad BGP Identifier"
            case .unsupportedOptionalParameter: "Unsupported Optional Parameter"
            case .unacceptableHoldTime: "Unacceptable Hold Time"
            case .unsupportedCapability: "Unsupported Capability"
            }
        }
    }

    /// UPDATE Message Error subcodes (RFC 4271 §6.3).
    public enum UpdateSubcode: UInt8, Sendable, CustomStringConvertible {
        case malformedAttributeList = 1
        case unrecognizedWellKnownAttribute = 2
        case missingWellKnownAttribute = 3
        case attributeFlagsError = 4
        case attributeLengthError = 5
        case invalidOrigin = 6
        case invalidNextHop = 8
        case optionalAttributeError = 9
        case invalidNetworkField = 10
        case malformedASPath = 11

        /// The RFC's name of the subcode.
        public var description: String {
            switch self {
            case .malformedAttributeList: "Malformed Attribute List"
            case .unrecognizedWellKnownAttribute: "Unrecognized Well-known Attribute"
            case .missingWellKnownAttribute: "Missing Well-known Attribute"
            case .attributeFlagsError: "Attribute Flags Error"
            case .attributeLengthError: "Attribute Length Error"
            case .invalidOrigin: "Invalid ORIGIN Attribute"
            case .invalidNextHop: "Invalid NEXT_HOP Attribute"
            case .optionalAttributeError: "Optional Attribute Error"
            case .invalidNetworkField: "Invalid Network Field"
            case .malformedASPath: "Malformed AS_PATH"
            }
        }
    }

    /// Finite State Machine Error subcodes (RFC 6608): which state received a message it does not allow.
    public enum FiniteStateMachineSubcode: UInt8, Sendable, CustomStringConvertible {
        case unspecified = 0
        case unexpectedMessageInOpenSent = 1
        case unexpectedMessageInOpenConfirm = 2
        case unexpectedMessageInEstablished = 3

        /// The RFC's name of the subcode.
        public var description: String {
            switch self {
            case .unspecified: "Unspecified Error"
            case .unexpectedMessageInOpenSent: "Receive Unexpected Message in OpenSent State"
            case .unexpectedMessageInOpenConfirm: "Receive Unexpected Message in OpenConfirm State"
            case .unexpectedMessageInEstablished: "Receive Unexpected Message in Established State"
            }
        }
    }

    /// Cease subcodes (RFC 4486, RFC 8203).
    public enum CeaseSubcode: UInt8, Sendable, CustomStringConvertible {
        case maximumPrefixesReached = 1
        case administrativeShutdown = 2
        case peerDeconfigured = 3
        case administrativeReset = 4
        case connectionRejected = 5
        case otherConfigurationChange = 6
        case connectionCollisionResolution = 7
        case outOfResources = 8

        /// The RFC's name of the subcode.
        public var description: String {
            switch self {
            case .maximumPrefixesReached: "Maximum Number of Prefixes Reached"
            case .administrativeShutdown: "Administrative Shutdown"
            case .peerDeconfigured: "Peer De-configured"
            case .administrativeReset: "Administrative Reset"
            case .connectionRejected: "Connection Rejected"
            case .otherConfigurationChange: "Other Configuration Change"
            case .connectionCollisionResolution: "Connection Collision Resolution"
            case .outOfResources: "Out of Resources"
            }
        }
    }
}
