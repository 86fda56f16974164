import sys

from local.runtime import main

sys.exit(main())
