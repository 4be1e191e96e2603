"""`python -m protolint ...` runs the command line, like the `protolint` script."""

from protolint.cli import entry

if __name__ == "__main__":
    entry()
