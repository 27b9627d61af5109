// SmartAuthBenchmarks
