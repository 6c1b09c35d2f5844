import sys

from lifecycle.cli import main

if __name__ == "__main__":  # not when a worker process (multiprocessing) imports the main module
    sys.exit(main())
