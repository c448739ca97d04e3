/// A conservative count of YAML nesting, done on the text before it reaches Yams:
/// Yams composes recursively, so a small file nested thousands deep would overflow the
/// stack. Counts block levels (indentation steps and `- `/`? ` markers) plus open flow
/// brackets outside quotes and comments; real experiment files stay under 10.
enum YAMLDepth {
    /// Deepest nesting accepted (docs/reliability.md).
    static let limit = 64

    /// The 1-based line where nesting first exceeds `limit`, or nil.
    static func firstLineDeeper(than limit: Int, in text: String) -> Int? {
        var indents: [Int] = []
        var flow = 0
        var lineNumber = 0
        // Bytes, not Characters: "\r\n" is one Character, so a CRLF file would be one line.
        for line in Array(text.utf8).split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            let chars = Array(line)
            var i = 0
            var block = indents.count
            if flow == 0 {
                while i < chars.count, chars[i] == 0x20 || chars[i] == 0x09 { i += 1 }
                if i == chars.count || chars[i] == 0x23 || chars[i] == 0x0D { continue }
                while let last = indents.last, last >= i { indents.removeLast() }
                indents.append(i)
                block = indents.count
                // "- - - x" nests one level per marker on a single line.
                while i < chars.count, chars[i] == 0x2D || chars[i] == 0x3F,
                      i + 1 == chars.count || chars[i + 1] == 0x20 || chars[i + 1] == 0x09 {
                    block += 1
                    i += 1
                    while i < chars.count, chars[i] == 0x20 || chars[i] == 0x09 { i += 1 }
                }
            }
            if block + flow > limit { return lineNumber }
            var quote: UInt8 = 0
            var previous: UInt8 = 0x20
            while i < chars.count {
                let c = chars[i]
                if quote != 0 {
                    if c == quote { quote = 0 }
                } else if c == 0x22 || c == 0x27 {
                    quote = c
                } else if c == 0x23, previous == 0x20 || previous == 0x09 {
                    break
                } else if c == 0x5B || c == 0x7B {
                    flow += 1
                    if block + flow > limit { return lineNumber }
                } else if c == 0x5D || c == 0x7D {
                    flow = max(0, flow - 1)
                }
                previous = c
                i += 1
            }
        }
        return nil
    }
}
