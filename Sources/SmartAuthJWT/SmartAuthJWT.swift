// SmartAuthJWT
