import SmartAuthCommandLine

#if canImport(Glibc)
import Glibc
#endif

exit(SmartAuthTool.run(Array(CommandLine.arguments.dropFirst()), console: .process))
