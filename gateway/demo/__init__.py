"""`gerbang demo`: the gateway in front of a built-in OpenAI-compatible assistant."""
