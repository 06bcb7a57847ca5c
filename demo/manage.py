#!/usr/bin/env python
"""The demo site's manage.py: `make demo` runs `demo_setup` then `runserver 127.0.0.1:8000`."""

import os
import sys
from pathlib import Path


def main() -> None:
    here = Path(__file__).resolve().parent
    # The package itself, when it is not pip-installed (running from a checkout with another venv).
    sys.path.insert(1, str(here.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
