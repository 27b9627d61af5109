// SmartAuthSQLiteStore
