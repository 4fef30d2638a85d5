# The tests import the package from this source tree (python/), whether or not it is installed.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
