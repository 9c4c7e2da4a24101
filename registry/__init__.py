"""The domain of ereg: types, pure rules, reference data, database tables and queries."""
