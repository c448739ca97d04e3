/// A dense Float32 array with a shape: contiguous, row-major, no strides.
///
/// A value type over a copy-on-write `[Float]`. Layers own their output and gradient
/// tensors and overwrite them in place every step, so steady-state training allocates
/// nothing; `resize(to:)` only reallocates when a larger batch arrives.
public struct Tensor: Equatable, Sendable {
    /// Dimensions, outermost first. For batches the first dimension is the batch size.
    public private(set) var shape: [Int]
    /// `shape.reduce(1, *)` elements in row-major order.
    public var storage: [Float]

    public init(shape: [Int], repeating value: Float = 0) {
        // Invariant: shapes come from validated specs or checked file headers (Checkpoint.decode, IDXReader).
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        self.shape = shape
        self.storage = [Float](repeating: value, count: shape.reduce(1, *))
    }

    public init(shape: [Int], _ data: [Float]) {
        // Invariant: shapes come from validated specs or checked file headers (Checkpoint.decode, IDXReader).
        precondition(shape.reduce(1, *) == data.count, "shape \(shape) does not hold \(data.count) values")
        self.shape = shape
        self.storage = data
    }

    /// An empty tensor, used as "not computed yet".
    public static let empty = Tensor(shape: [0])

    public var count: Int { storage.count }
    public var rank: Int { shape.count }
    /// First dimension (the batch size for batched tensors).
    public var rows: Int { shape.first ?? 0 }
    /// Elements per row: everything but the first dimension.
    public var columns: Int { shape.count <= 1 ? 1 : shape.dropFirst().reduce(1, *) }

    public subscript(i: Int) -> Float {
        get { storage[i] }
        set { storage[i] = newValue }
    }

    /// Reinterprets the same elements with another shape of equal size.
    public mutating func reshape(_ newShape: [Int]) {
        // Invariant: shapes come from validated specs or checked file headers (Checkpoint.decode, IDXReader).
        precondition(newShape.reduce(1, *) == count, "cannot reshape \(shape) to \(newShape)")
        shape = newShape
    }

    public func reshaped(_ newShape: [Int]) -> Tensor {
        var t = self
        t.reshape(newShape)
        return t
    }

    /// Makes this tensor `newShape`, keeping the buffer while it is large enough: a
    /// scratch tensor that serves layers of different sizes in turn (the candidate
    /// trainer's) then allocates, and page-faults in, nothing after the first step.
    /// Contents are unspecified afterwards unless the size stayed the same.
    public mutating func resize(to newShape: [Int]) {
        if newShape == shape { return }
        let n = newShape.reduce(1, *)
        if n < storage.count {
            storage.removeLast(storage.count - n)
        } else if n > storage.capacity {
            storage = [Float](repeating: 0, count: n)
        } else if n > storage.count {
            storage.append(contentsOf: repeatElement(0, count: n - storage.count))
        }
        shape = newShape
    }

    public mutating func fill(_ value: Float) {
        storage.withUnsafeMutableBufferPointer { p in
            for i in 0..<p.count { p[i] = value }
        }
    }

    @inline(__always)
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer(body)
    }

    @inline(__always)
    public mutating func withUnsafeMutableBufferPointer<R>(_ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try storage.withUnsafeMutableBufferPointer(body)
    }

    /// True when every element is finite (no NaN, no infinity).
    public var isFinite: Bool {
        storage.withUnsafeBufferPointer { p in
            var acc: Float = 0
            for v in p { acc += v * 0 }   // NaN or inf anywhere turns acc into NaN
            return acc == 0
        }
    }
}
