import Foundation
import KubernetesModel

/// Jittered exponential backoff between reconnection attempts.
///
/// The delay after the n-th consecutive failure is `initial × multiplierⁿ⁻¹`, capped at `maximum`, then spread by
/// ±`jitter` so that the agents of a whole cluster do not reconnect in step after an API server restart. Whoever
/// drives it calls `reset()` once a connection has proved healthy. Tests pass small durations to run fast.
public struct Backoff: Sendable, Equatable {
    /// The delay after the first failure.
    public var initial: Duration
    /// The longest delay.
    public var maximum: Duration
    /// The growth factor per failure.
    public var multiplier: Double
    /// The spread, as a fraction of the delay (0.2 = ±20 %).
    public var jitter: Double
    /// How long a connection must stay up, even without traffic, before it counts as healthy.
    public var resetAfter: Duration
    /// Consecutive failures since the last reset.
    public private(set) var failures = 0

    /// A backoff; the defaults are 200 ms doubling to 30 s, ±20 %, reset after 30 s of health.
    public init(
        initial: Duration = .milliseconds(200), maximum: Duration = .seconds(30), multiplier: Double = 2,
        jitter: Double = 0.2, resetAfter: Duration = .seconds(30)
    ) {
        self.initial = initial
        self.maximum = max(maximum, initial)
        self.multiplier = max(multiplier, 1)
        self.jitter = min(max(jitter, 0), 1)
        self.resetAfter = resetAfter
    }

    /// The delay before the next attempt, counting one more failure.
    public mutating func next() -> Duration {
        var generator = SystemRandomNumberGenerator()
        return next(using: &generator)
    }

    /// The delay before the next attempt, counting one more failure, with the caller's randomness.
    public mutating func next<G: RandomNumberGenerator>(using generator: inout G) -> Duration {
        failures += 1
        let base = baseDelay(afterFailures: failures)
        guard jitter > 0 else { return base }
        return base * Double.random(in: (1 - jitter)...(1 + jitter), using: &generator)
    }

    /// Forgets past failures.
    public mutating func reset() {
        failures = 0
    }

    /// The delay after `failures` consecutive failures, before jitter.
    public func baseDelay(afterFailures failures: Int) -> Duration {
        guard failures > 0, initial > .zero else { return .zero }
        let ratio = maximum / initial
        let exponent = Double(failures - 1)
        // Compare exponents rather than multiplying, so that long outages cannot overflow.
        if multiplier == 1 || exponent * log2(multiplier) < log2(ratio) {
            return min(initial * pow(multiplier, exponent), maximum)
        }
        return maximum
    }
}
