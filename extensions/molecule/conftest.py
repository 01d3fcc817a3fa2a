"""The scenarios' verifiers find their helpers in shared/ (verify.py, fixture.py)."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "shared"))
