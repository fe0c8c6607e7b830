"""The Rego policy bundle and the policy engines behind one interface (filled by a later issue)."""
