/// Grow-only scratch memory of Floats owned by one layer (im2col columns, products).
///
/// Raw memory rather than `[Float]`: nothing else ever holds it, so there is no
/// copy-on-write check to pass on every write, and its address stays put between steps.
/// Contents are unspecified after `reserve` grows it.
final class WorkBuffer {
    private(set) var pointer: UnsafeMutablePointer<Float>
    private(set) var capacity = 0

    init() { pointer = .allocate(capacity: 1) }

    /// Makes room for at least `count` floats.
    func reserve(_ count: Int) {
        guard count > capacity else { return }
        pointer.deallocate()
        pointer = .allocate(capacity: count)
        capacity = count
    }

    deinit { pointer.deallocate() }
}
