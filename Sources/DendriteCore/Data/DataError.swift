import Foundation

/// Why a dataset file could not be used. Always one line: the file, then the problem
/// and what was expected, so a user can fix it without reading code.
public struct DataError: Error, LocalizedError, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: String, Sendable {
        /// The file is missing or cannot be opened.
        case unreadable
        /// Fewer bytes than the header (or record size) promises.
        case truncated
        /// The first bytes are not those of the expected format.
        case wrongMagic
        /// Sizes do not add up: extra bytes, bad dimensions, wrong record multiple.
        case wrongSize
        /// A gzip stream that zlib cannot decompress.
        case corruptGzip
        /// Images and labels disagree on how many samples there are.
        case countMismatch
        /// A label outside the dataset's classes.
        case badLabel
        /// A CSV line that is not `label,p1..pN` with integers in range.
        case badRecord
        /// The file's MD5 is not the published one.
        case checksumMismatch
        /// The data is not present and cannot be obtained automatically.
        case unavailable
        /// Writing an output file failed.
        case writeFailed
    }

    public var kind: Kind
    /// The file (or folder) concerned, as the user would type it.
    public var file: String
    /// What is wrong and what was expected, without the file name.
    public var problem: String

    public init(_ kind: Kind, file: String, _ problem: String) {
        self.kind = kind
        self.file = file
        self.problem = problem
    }

    public var description: String { "\(file): \(problem)" }
    public var errorDescription: String? { description }
}
