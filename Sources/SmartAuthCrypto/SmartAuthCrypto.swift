// SmartAuthCrypto: see Docs.
