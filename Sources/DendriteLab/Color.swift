/// An 8-bit RGBA colour.
public struct Color: Equatable, Hashable, Sendable {
    public var r: UInt8
    public var g: UInt8
    public var b: UInt8
    public var a: UInt8

    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8, _ a: UInt8 = 255) {
        self.r = r; self.g = g; self.b = b; self.a = a
    }

    /// 0xRRGGBB.
    public init(hex: UInt32, alpha: UInt8 = 255) {
        self.init(UInt8((hex >> 16) & 0xFF), UInt8((hex >> 8) & 0xFF), UInt8(hex & 0xFF), alpha)
    }

    public func withAlpha(_ a: UInt8) -> Color { Color(r, g, b, a) }
    public func withAlpha(_ f: Float) -> Color { Color(r, g, b, UInt8(max(0, min(255, f * 255)))) }

    /// Straight interpolation from `a` (t = 0) to `b` (t = 1).
    public static func mix(_ a: Color, _ b: Color, _ t: Float) -> Color {
        let t = max(0, min(1, t))
        func m(_ x: UInt8, _ y: UInt8) -> UInt8 { UInt8((Float(x) + (Float(y) - Float(x)) * t).rounded()) }
        return Color(m(a.r, b.r), m(a.g, b.g), m(a.b, b.b), m(a.a, b.a))
    }

    /// Packed as SDL_PIXELFORMAT_ARGB8888.
    public var argb: UInt32 { UInt32(a) << 24 | UInt32(r) << 16 | UInt32(g) << 8 | UInt32(b) }
    public init(argb v: UInt32) {
        self.init(UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF), UInt8(v >> 24))
    }
}

/// A diverging scale for a signed quantity in [-1, 1]: `negative` at -1, `middle` at 0,
/// `positive` at 1 (the Lab's signed scale and its two-class probability scale).
public struct Diverging: Sendable {
    public var negative: Color
    public var middle: Color
    public var positive: Color

    /// `v` in [-1, 1] (clamped).
    public func color(_ v: Float) -> Color {
        guard v.isFinite else { return middle }
        return v < 0 ? Color.mix(middle, negative, -v) : Color.mix(middle, positive, v)
    }
}
