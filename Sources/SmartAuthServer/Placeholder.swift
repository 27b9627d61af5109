// SmartAuthServer
