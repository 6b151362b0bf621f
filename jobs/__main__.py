import sys

from pydantic import ValidationError

try:
    from jobs.worker import main
except ValidationError as error:  # the settings: say what is wrong, without a traceback
    sys.exit(f"The worker cannot start: {error}")

from backend.demo.errors import PublishedDemoAccountsError

try:
    main()
except PublishedDemoAccountsError as error:
    sys.exit(f"The worker cannot start: {error}")
