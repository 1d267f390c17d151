"""The goldenpath command line: synth, validate, schema, list, doctor, deploy."""
