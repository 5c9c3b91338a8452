import sys

from app.cli import main

if __name__ == "__main__":  # worker processes import this module again; they must not re-run it
    sys.exit(main())
