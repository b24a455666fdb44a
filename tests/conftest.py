"""Hypothesis profiles: the suite draws fixed examples; ``HYPOTHESIS_PROFILE=explore`` new ones.

``make test`` (and CI, which runs it) must pass or fail on the code alone, not on the examples
a run happens to draw, so the default profile derandomises Hypothesis: each property test draws
the same examples every time. ``HYPOTHESIS_PROFILE=explore make test`` draws new ones (and keeps
any failure in ``.hypothesis/`` to replay), the way counterexamples are looked for.
"""

import os

from hypothesis import settings

settings.register_profile("fixed", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fixed"))
