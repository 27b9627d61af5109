/// One `smart-auth` command: its words, its help, the options it accepts and what it does.
struct Command: Sendable {
    /// The words that name it, e.g. `["jwt", "verify"]`.
    let path: [String]
    /// One line for the command list.
    let summary: String
    /// The full `--help` text.
    let help: String
    /// Options that take a value.
    let options: Set<String>
    /// Options that take no value (`--help` is always accepted).
    let flags: Set<String>
    /// The exit status for a usage error. Verifier commands promise "0 valid, 1 invalid, nothing else", so
    /// for them a usage error is 1; every other command uses 2.
    let usageStatus: Int32
    /// Runs the command; returns the exit status.
    let run: @Sendable (Arguments, Console) throws -> Int32
}

/// The `smart-auth` entry point.
public enum SmartAuthTool {
    static let commands: [Command] =
        JWTCommands.all + KeyCommands.all + ServerCommands.all + [DemoCommand.command] + BenchCommand.all + BenchStoreCommands.all + BenchHTTPCommand.all

    /// Runs `smart-auth` with `arguments` (without the program name) and returns the exit status.
    public static func run(_ arguments: [String], console: Console) -> Int32 {
        let wantsHelp = arguments.isEmpty || arguments.contains("--help") || arguments.contains("-h")
        // The longest command path that prefixes the arguments.
        let command = commands
            .filter { arguments.starts(with: $0.path) }
            .max { $0.path.count < $1.path.count }
        guard let command else {
            if wantsHelp || arguments.first == "help" {
                console.print(overview(prefix: arguments.filter { !$0.hasPrefix("-") }))
                return 0
            }
            console.printError("unknown command '\(arguments.joined(separator: " "))'; run 'smart-auth --help'")
            return 2
        }
        if arguments.contains("--help") || arguments.contains("-h") {
            console.print(command.help)
            return 0
        }
        do {
            let parsed = try Arguments(
                Array(arguments.dropFirst(command.path.count)), options: command.options, flags: command.flags)
            return try command.run(parsed, console)
        } catch let error as UsageError {
            console.printError("\(error.description)\nusage: see 'smart-auth \(command.path.joined(separator: " ")) --help'")
            return command.usageStatus
        } catch {
            console.printError("\(error)")
            return 1
        }
    }

    static func overview(prefix: [String]) -> String {
        var lines = [
            "smart-auth — SmartAuth's command-line tool: JOSE/JWT keys, signing, verification and benchmarks.",
            "",
            "usage: smart-auth <command> [options]     (every command takes --help)",
            "",
            "commands:",
        ]
        let shown = commands.filter { prefix.isEmpty || $0.path.starts(with: prefix.prefix(1)) }
        let width = (shown.map { $0.path.joined(separator: " ").count }.max() ?? 0) + 2
        for command in shown {
            let name = command.path.joined(separator: " ")
            lines.append("  " + name + String(repeating: " ", count: width - name.count) + command.summary)
        }
        return lines.joined(separator: "\n")
    }
}
