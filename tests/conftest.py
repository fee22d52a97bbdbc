pytest_plugins = ["tests.pg_fixtures", "tests.asterisk_fixtures"]
