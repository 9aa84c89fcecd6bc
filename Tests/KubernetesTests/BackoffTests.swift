import Testing

@testable import Kubernetes
@testable import KubernetesModel

@Suite struct BackoffTests {
    @Test func doublesUpToTheCap() {
        let backoff = Backoff()
        let delays = (1...10).map { backoff.baseDelay(afterFailures: $0) }
        #expect(
            delays.prefix(8) == [
                .milliseconds(200), .milliseconds(400), .milliseconds(800), .milliseconds(1600), .milliseconds(3200),
                .milliseconds(6400), .milliseconds(12800), .milliseconds(25600),
            ])
        #expect(delays[8] == .seconds(30) && delays[9] == .seconds(30))
        #expect(backoff.baseDelay(afterFailures: 10_000) == .seconds(30), "no overflow on long outages")
        #expect(backoff.baseDelay(afterFailures: 0) == .zero)
    }

    @Test func jitterStaysWithinTwentyPercent() {
        var backoff = Backoff()
        var spread: Set<Duration> = []
        for attempt in 1...2_000 {
            let base = backoff.baseDelay(afterFailures: backoff.failures + 1)
            let delay = backoff.next()
            #expect(delay >= base * 0.8 && delay <= base * 1.2, "attempt \(attempt): \(delay) vs \(base)")
            if attempt > 20 { spread.insert(delay) }
        }
        #expect(spread.count > 100, "delays vary")
    }

    @Test func resetStartsOver() {
        var backoff = Backoff(initial: .milliseconds(10), maximum: .milliseconds(40), jitter: 0)
        #expect(
            [backoff.next(), backoff.next(), backoff.next(), backoff.next()] == [
                .milliseconds(10), .milliseconds(20), .milliseconds(40), .milliseconds(40),
            ])
        #expect(backoff.failures == 4)
        backoff.reset()
        #expect(backoff.failures == 0 && backoff.next() == .milliseconds(10))
    }

    @Test func deterministicWithTheCallersGenerator() {
        struct Fixed: RandomNumberGenerator {
            mutating func next() -> UInt64 { .max }
        }
        var generator = Fixed()
        var backoff = Backoff(initial: .seconds(1))
        let delay = backoff.next(using: &generator)
        #expect(delay > .milliseconds(1190) && delay <= .milliseconds(1200))
    }
}
