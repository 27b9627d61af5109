// SmartAuthCommandLine
