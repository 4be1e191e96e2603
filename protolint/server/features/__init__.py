"""One module per group of LSP features; each has `register(server)`."""
