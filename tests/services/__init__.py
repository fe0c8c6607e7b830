"""Real services the tests start on loopback with the project's own install scripts."""
