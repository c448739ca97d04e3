/// A point or offset in window pixels (origin top-left, y down).
public struct Vec2: Equatable, Sendable {
    public var x: Float
    public var y: Float
    public init(_ x: Float, _ y: Float) { self.x = x; self.y = y }

    public static func + (a: Vec2, b: Vec2) -> Vec2 { Vec2(a.x + b.x, a.y + b.y) }
    public static func - (a: Vec2, b: Vec2) -> Vec2 { Vec2(a.x - b.x, a.y - b.y) }
    public static func * (a: Vec2, s: Float) -> Vec2 { Vec2(a.x * s, a.y * s) }
    public var length: Float { (x * x + y * y).squareRoot() }
    public func distance(to o: Vec2) -> Float { (self - o).length }
}

/// An axis-aligned rectangle in window pixels.
public struct Rect: Equatable, Sendable {
    public var x: Float
    public var y: Float
    public var w: Float
    public var h: Float
    public init(x: Float, y: Float, w: Float, h: Float) { self.x = x; self.y = y; self.w = w; self.h = h }

    public var minX: Float { x }
    public var minY: Float { y }
    public var maxX: Float { x + w }
    public var maxY: Float { y + h }
    public var center: Vec2 { Vec2(x + w / 2, y + h / 2) }

    public func contains(_ p: Vec2) -> Bool { p.x >= x && p.x < x + w && p.y >= y && p.y < y + h }
    public func inset(_ d: Float) -> Rect { Rect(x: x + d, y: y + d, w: max(0, w - 2 * d), h: max(0, h - 2 * d)) }
    /// Splits off the top `height` pixels: (top, rest).
    public func splitTop(_ height: Float) -> (Rect, Rect) {
        let t = min(height, h)
        return (Rect(x: x, y: y, w: w, h: t), Rect(x: x, y: y + t, w: w, h: h - t))
    }
    /// Splits off the left `width` pixels: (left, rest).
    public func splitLeft(_ width: Float) -> (Rect, Rect) {
        let l = min(width, w)
        return (Rect(x: x, y: y, w: l, h: h), Rect(x: x + l, y: y, w: w - l, h: h))
    }
}
