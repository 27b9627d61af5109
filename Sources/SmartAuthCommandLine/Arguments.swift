/// A command line split into `--name value` options, `--flag`s and positional words.
///
/// `--name=value` is accepted too. Only names a command declares are accepted; anything else is a usage error.
struct Arguments {
    private(set) var options: [String: [String]] = [:]
    private(set) var flags: Set<String> = []
    private(set) var positional: [String] = []

    /// Parses `words` given the option names that take a value and the flag names that don't.
    init(_ words: [String], options valued: Set<String>, flags known: Set<String>) throws(UsageError) {
        var index = 0
        while index < words.count {
            let word = words[index]
            index += 1
            guard word.hasPrefix("--"), word.count > 2 else {
                positional.append(word)
                continue
            }
            var name = String(word.dropFirst(2))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            if known.contains(name), inlineValue == nil {
                flags.insert(name)
            } else if valued.contains(name) {
                if let inlineValue {
                    options[name, default: []].append(inlineValue)
                } else {
                    guard index < words.count else { throw UsageError("--\(name) needs a value") }
                    options[name, default: []].append(words[index])
                    index += 1
                }
            } else {
                throw UsageError("unknown option --\(name)")
            }
        }
    }

    /// The last value given for `name`, if any.
    func value(_ name: String) -> String? { options[name]?.last }

    /// Every value given for a repeatable option.
    func values(_ name: String) -> [String] { options[name] ?? [] }

    /// The value of a required option.
    func required(_ name: String) throws(UsageError) -> String {
        guard let value = value(name) else { throw UsageError("--\(name) is required") }
        return value
    }

    func has(_ flag: String) -> Bool { flags.contains(flag) }
}

/// A mistake in how a command was called.
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
