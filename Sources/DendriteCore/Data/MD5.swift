import Foundation

/// MD5 (RFC 1321), used only to check that downloaded or converted dataset files are
/// byte-identical to the published originals. Not for anything security-related.
///
/// Streaming: feed any number of chunks with `update`, then read `hexDigest` once.
public struct MD5: Sendable {
    private var a: UInt32 = 0x6745_2301
    private var b: UInt32 = 0xefcd_ab89
    private var c: UInt32 = 0x98ba_dcfe
    private var d: UInt32 = 0x1032_5476
    /// Bytes of an incomplete 64-byte block waiting for more input.
    private var pending: [UInt8] = []
    /// Total message length in bytes.
    private var length: UInt64 = 0

    public init() { pending.reserveCapacity(64) }

    /// The digest of `bytes` as 32 lowercase hex digits.
    public static func hex<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var m = MD5()
        m.update(Array(bytes))
        return m.hexDigest
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        length &+= UInt64(bytes.count)
        var i = 0
        if !pending.isEmpty {
            let take = min(64 - pending.count, bytes.count)
            pending.append(contentsOf: bytes[0..<take])
            i = take
            if pending.count < 64 { return }
            // Invariant: `pending` holds exactly 64 bytes here.
            pending.withUnsafeBytes { compress(block: $0.baseAddress!) }
            pending.removeAll(keepingCapacity: true)
        }
        while i + 64 <= bytes.count {
            // Invariant: the loop runs only while 64 bytes remain, so bytes is non-empty.
            compress(block: bytes.baseAddress! + i)
            i += 64
        }
        if i < bytes.count { pending.append(contentsOf: bytes[i...]) }
    }

    /// Pads the message (a 1 bit, zeros, the bit length little-endian) and returns the
    /// digest. Works on a copy, so the hasher itself is unchanged.
    public var hexDigest: String {
        var m = self
        let bitLength = length &* 8
        var tail: [UInt8] = [0x80]
        let used = (pending.count + 1) % 64
        tail += [UInt8](repeating: 0, count: (used <= 56 ? 56 - used : 120 - used))
        for k in 0..<8 { tail.append(UInt8(truncatingIfNeeded: bitLength >> (8 * UInt64(k)))) }
        m.update(tail)
        var out = ""
        for word in [m.a, m.b, m.c, m.d] {
            for k in 0..<4 {
                let byte = UInt8(truncatingIfNeeded: word >> (8 * UInt32(k)))
                out += String(byte >> 4, radix: 16) + String(byte & 0xf, radix: 16)
            }
        }
        return out
    }

    /// Per-step left-rotation amounts (RFC 1321, 3.4).
    private static let shifts: [UInt32] = [7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                                           5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
                                           4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                                           6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21]

    /// T[i] = floor(2^32 * |sin(i + 1)|), computed once instead of written out.
    private static let table: [UInt32] = (0..<64).map { i in
        UInt32(truncatingIfNeeded: Int64((abs(sin(Double(i + 1))) * 4_294_967_296.0).rounded(.down)))
    }

    private mutating func compress(block: UnsafeRawPointer) {
        @inline(__always) func word(_ j: Int) -> UInt32 {
            UInt32(littleEndian: block.loadUnaligned(fromByteOffset: 4 * j, as: UInt32.self))
        }
        var aa = a, bb = b, cc = c, dd = d
        for i in 0..<64 {
            var f: UInt32, g: Int
            switch i {
            case 0..<16: f = (bb & cc) | (~bb & dd); g = i
            case 16..<32: f = (dd & bb) | (~dd & cc); g = (5 * i + 1) % 16
            case 32..<48: f = bb ^ cc ^ dd; g = (3 * i + 5) % 16
            default: f = cc ^ (bb | ~dd); g = (7 * i) % 16
            }
            f = f &+ aa &+ MD5.table[i] &+ word(g)
            aa = dd; dd = cc; cc = bb
            let s = MD5.shifts[i]
            bb = bb &+ ((f << s) | (f >> (32 - s)))
        }
        a = a &+ aa; b = b &+ bb; c = c &+ cc; d = d &+ dd
    }
}
