import KubernetesModel

/// An informer's events, one at a time, delivered in the batches the informer produced them in.
///
/// A LIST of 10,000 objects is 10,000 events at once. An `AsyncStream` of single events would
/// buffer them all in its queue, and the queue keeps that capacity for the stream's life; a
/// stream of batches queues one array, which is freed once its events are consumed.
public struct InformerEvents<R: KubernetesResource>: AsyncSequence, Sendable {
    public typealias Element = InformerEvent<R>

    /// The batches as the informer yields them: one per LIST (its changes, rejections and
    /// `.synced`) and one per watch event.
    public let batches: AsyncStream<[InformerEvent<R>]>

    /// Events flattened from `batches`.
    public init(batches: AsyncStream<[InformerEvent<R>]>) {
        self.batches = batches
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(batches: batches.makeAsyncIterator())
    }

    /// Walks each batch, then waits for the next.
    public struct Iterator: AsyncIteratorProtocol {
        var batches: AsyncStream<[InformerEvent<R>]>.AsyncIterator
        var current: [InformerEvent<R>] = []
        var position = 0

        public mutating func next() async -> InformerEvent<R>? {
            await next(isolation: nil)
        }

        public mutating func next(isolation actor: isolated (any Actor)?) async -> InformerEvent<R>? {
            while position == current.count {
                guard let batch = await batches.next(isolation: actor) else { return nil }
                current = batch
                position = 0
            }
            defer { position += 1 }
            return current[position]
        }
    }
}
