// SmartAuthRedisStore
