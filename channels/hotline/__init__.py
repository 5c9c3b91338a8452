"""The 12345 hotline system: signed dispatches and feedback in, replies out."""
