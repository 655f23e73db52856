#!/usr/bin/env python
from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings")
    from django.core.management import execute_from_command_line

    from workbench.local_files import prepare

    prepare()
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
