// SmartAuthPostgresStore
