import SmartAuthCommandLine

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

Console.ignoreBrokenPipes()
exit(SmartAuthTool.run(Array(CommandLine.arguments.dropFirst()), console: .process))
