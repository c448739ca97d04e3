import Testing
@testable import DendriteCore

@Suite struct MD5Tests {
    /// The test suite of RFC 1321, appendix A.5.
    static let rfcVectors: [(String, String)] = [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("a", "0cc175b9c0f1b6a831c399e269772661"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
        ("12345678901234567890123456789012345678901234567890123456789012345678901234567890",
         "57edf4a22be3c955ac49da2e2107b67a"),
    ]

    @Test(arguments: rfcVectors)
    func digestMatchesRFC1321TestSuite(message: String, expected: String) {
        #expect(MD5.hex(Array(message.utf8)) == expected)
    }

    @Test func chunkedUpdatesGiveTheSameDigestAsOneUpdate() {
        // 200 bytes crosses several 64-byte blocks and both padding cases.
        let bytes = (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let whole = MD5.hex(bytes)
        for chunk in [1, 3, 55, 56, 63, 64, 65, 199] {
            var m = MD5()
            var i = 0
            while i < bytes.count {
                m.update(Array(bytes[i..<min(i + chunk, bytes.count)]))
                i += chunk
            }
            #expect(m.hexDigest == whole, "chunk size \(chunk)")
        }
    }

    @Test func digestsDifferWhenOneBitDiffers() {
        var bytes = [UInt8](repeating: 0, count: 1000)
        let a = MD5.hex(bytes)
        bytes[999] = 1
        #expect(MD5.hex(bytes) != a)
    }
}
