"""`python -m protolint ...` runs the command line, like the `protolint` script."""

from protolint.cli import main

if __name__ == "__main__":
    main(prog_name="protolint")
