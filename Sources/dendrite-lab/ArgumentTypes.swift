import ArgumentParser
import DendriteCore

// The engine's own enums are the options' types: one type per concept, and the parser
// lists the allowed values and refuses others in one line (e.g. "Please provide one of
// 'none', 'gd' and 'pb'").
extension DendriteMode: ExpressibleByArgument {}
extension ToyData.Kind: ExpressibleByArgument {}
extension DendriteActivation: ExpressibleByArgument {}


/// Comma-separated option values parsed by argument-parser itself (`transform:`), so a
/// bad entry is refused with one line naming it, before the command runs.
enum CommaSeparated {
    /// `--modes none,gd,pb`.
    static func modes(_ text: String) throws -> [DendriteMode] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        return try parts.map { p in
            guard let m = DendriteMode(argument: p) else {
                throw ValidationError("--modes takes none, gd and pb separated by commas; '\(p)' is not one of them")
            }
            return m
        }
    }

    /// `--seeds 1-5` or `1,2,3`.
    static func seeds(_ text: String) throws -> [UInt64] {
        guard let list = NumberList.parse(text) else {
            throw ValidationError("--seeds takes whole numbers separated by commas, or ranges such as 1-5; got '\(text)'")
        }
        return list
    }

    /// `--widths 8,16,32`.
    static func widths(_ text: String) throws -> [Int] {
        guard let list = NumberList.parse(text), list.allSatisfy({ $0 >= 1 && $0 <= 1_000_000 }) else {
            throw ValidationError("--widths takes widths of at least 1 separated by commas, e.g. 8,16,32; got '\(text)'")
        }
        return list.map { Int($0) }
    }
}
