"""Side effects: codes, messages, record updates. Every activity is safe to retry."""
