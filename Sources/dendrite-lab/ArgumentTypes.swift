import ArgumentParser
import DendriteCore

// The engine's own enums are the options' types: one type per concept, and the parser
// lists the allowed values and refuses others in one line (e.g. "Please provide one of
// 'none', 'gd' and 'pb'").
extension DendriteMode: ExpressibleByArgument {}
extension ToyData.Kind: ExpressibleByArgument {}
