"""Contract tests: the client's requests and the sandbox's answers against Asana's spec."""
